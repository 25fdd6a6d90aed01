namespace Micar.FSharp

open Micar.Layers
open Micar.Spec

/// Why a spec could not be read, written or accepted. Every case names the file and, where one is at fault, the field.
type SpecError =
    /// The text is malformed (syntax, an unknown field, a value of the wrong type); each problem names its
    /// field path (e.g. <c>moe.topK</c>) and, for YAML, its line.
    | Malformed of file: string * problems: SpecFormatProblem list
    /// The file could not be read or written (missing, unreadable, unsupported extension).
    | FileError of file: string * message: string
    /// The spec reads fine but breaks a rule; each error names its field path.
    | Invalid of errors: ValidationError list

    /// One readable paragraph: the file, then one line per problem.
    member this.Message =
        match this with
        | Malformed(file, problems) ->
            file + ": " + (problems |> List.map string |> String.concat "; ")
        | FileError(file, message) -> file + ": " + message
        | Invalid errors -> errors |> List.map (fun e -> e.Message) |> String.concat "; "

    /// The field paths at fault (empty for file errors and syntax errors).
    member this.Fields =
        match this with
        | Malformed(_, problems) -> problems |> List.choose (fun p -> Option.ofObj p.Field)
        | FileError _ -> []
        | Invalid errors -> errors |> List.map (fun e -> e.Path)

    override this.ToString() = this.Message

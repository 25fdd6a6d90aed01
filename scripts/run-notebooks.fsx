// Runs the teaching notebooks (notebooks/*.ipynb) top to bottom on the real .NET Interactive F# kernel, through the
// `dotnet-repl` tool (pinned in .config/dotnet-tools.json; `dotnet tool restore` installs it): each notebook in a fresh
// kernel whose working directory is the notebooks folder, its executed copy written as an .ipynb whose outputs say
// which code cell failed and why. A notebook passes when every code cell ran without error; markdown cells are not
// counted.
//
//     dotnet build src/Micar.FSharp -c Release && dotnet tool restore
//     dotnet fsi scripts/run-notebooks.fsx [--quick] [--timeout SECONDS] [--keep] [--fsi] [notebooks/x.ipynb ...]
//
//   --quick          sets MICAR_QUICK=1 for the notebooks (small sizes and budgets, as in CI); the variable may also
//                    be set in the environment
//   --timeout S      per-notebook limit (default 900 s); a notebook past it is stopped and fails
//   --keep           keeps the executed notebooks (or, with --fsi, the submission files; their paths are printed)
//   --fsi            runs the code cells as submissions to `dotnet fsi` instead of the kernel: no tool needed and
//                    about twice as fast, but not the kernel Jupyter uses
// Without notebook arguments every notebooks/*.ipynb runs, in name order. Exit code: 0 when every notebook ran
// through, 1 otherwise (a summary line per notebook names the failing cell).
open System
open System.Diagnostics
open System.IO
open System.Text
open System.Text.Json

let args = fsi.CommandLineArgs |> Array.toList |> List.tail
let repoRoot = Path.GetFullPath(Path.Combine(__SOURCE_DIRECTORY__, ".."))

let mutable useFsi = false

let rec parse (quick, timeout, keep, files) args =
    match args with
    | [] -> quick, timeout, keep, List.rev files
    | "--quick" :: rest -> parse (true, timeout, keep, files) rest
    | "--keep" :: rest -> parse (quick, timeout, true, files) rest
    | "--fsi" :: rest -> useFsi <- true; parse (quick, timeout, keep, files) rest
    | "--timeout" :: value :: rest ->
        match Int32.TryParse value with
        | true, s when s > 0 -> parse (quick, s, keep, files) rest
        | _ -> failwithf "--timeout expects a positive number of seconds, got '%s'" value
    | option :: _ when option.StartsWith "--" -> failwithf "unknown option %s (options: --quick, --timeout S, --keep, --fsi)" option
    | file :: rest -> parse (quick, timeout, keep, Path.GetFullPath file :: files) rest

let quickFlag, timeoutSeconds, keep, named = parse (false, 900, false, []) args
let quick = quickFlag || Environment.GetEnvironmentVariable "MICAR_QUICK" = "1"
let notebooks =
    if not named.IsEmpty then named
    else Directory.GetFiles(Path.Combine(repoRoot, "notebooks"), "*.ipynb") |> Array.sort |> List.ofArray

/// One code cell: its 1-based index among the notebook's cells and its source.
type Cell = { Index: int; Source: string }

/// The F# code cells of a notebook, in order; fails naming the file and cell for anything this runner cannot run.
let codeCells (path: string) : Cell list =
    let fail (message: string) = failwithf "%s: %s" path message
    use doc =
        try JsonDocument.Parse(File.ReadAllText path)
        with :? JsonException as e -> fail $"not a notebook (invalid JSON: {e.Message})"
    let root = doc.RootElement
    let prop (name: string) (e: JsonElement) =
        match e.ValueKind with
        | JsonValueKind.Object ->
            match e.TryGetProperty name with
            | true, v -> Some v
            | _ -> None
        | _ -> None
    let str (e: JsonElement option) = e |> Option.filter (fun v -> v.ValueKind = JsonValueKind.String) |> Option.map (fun v -> v.GetString())
    let metadata = prop "metadata" root
    match metadata |> Option.bind (prop "kernelspec") |> Option.bind (prop "name") |> str with
    | Some ".net-fsharp" -> ()
    | Some other -> fail $"metadata.kernelspec.name is '{other}'; only .NET Interactive F# notebooks (.net-fsharp) run here"
    | None -> fail "metadata.kernelspec.name is missing; only .NET Interactive F# notebooks (.net-fsharp) run here"
    let cells =
        match prop "cells" root with
        | Some c when c.ValueKind = JsonValueKind.Array -> List.ofSeq (c.EnumerateArray())
        | _ -> fail "no 'cells' array"
    [ for i, cell in List.indexed cells do
        if (prop "cell_type" cell |> str) = Some "code" then
            let cellMeta = prop "metadata" cell
            let language =
                [ cellMeta |> Option.bind (prop "dotnet_interactive") |> Option.bind (prop "language") |> str
                  cellMeta |> Option.bind (prop "polyglot_notebook") |> Option.bind (prop "kernelName") |> str ]
                |> List.tryPick id
                |> Option.defaultValue "fsharp"
            if language <> "fsharp" then fail $"cell {i + 1} is a '{language}' cell; only F# cells can be run"
            let source =
                match prop "source" cell with
                | Some s when s.ValueKind = JsonValueKind.Array -> s.EnumerateArray() |> Seq.map (fun l -> l.GetString()) |> String.concat ""
                | Some s when s.ValueKind = JsonValueKind.String -> s.GetString()
                | _ -> fail $"cell {i + 1} has no source"
            // Polyglot magic commands (#!fsharp, #!time, …) address the kernel, not F#.
            let code = source.Replace("\r\n", "\n").Split('\n') |> Array.filter (fun l -> not (l.StartsWith "#!")) |> String.concat "\n"
            if code.Contains ";;" then fail $"cell {i + 1} contains ';;', which would split it into several submissions"
            if code.Trim() <> "" then yield { Index = i + 1; Source = code } ]

/// The submissions fed to fsi: after cell k, a counter is set to k; before the next cell, fsi exits with code 1
/// (naming the cell on stderr) unless the counter says the previous cell completed.
let submissions (cells: Cell list) : string =
    let sb = StringBuilder()
    let counter = "__micarNotebookCell"
    sb.Append($"let mutable {counter} = 0;;\n") |> ignore
    for ordinal, cell in List.indexed cells do
        sb.Append(cell.Source).Append('\n').Append($"{counter} <- {ordinal + 1};;\n") |> ignore
        sb.Append(sprintf "if %s <> %d then (eprintfn \"notebook cell %d failed\"; exit 1);;\n" counter (ordinal + 1) cell.Index) |> ignore
    sb.Append("exit 0;;\n").ToString()

type Outcome = { Notebook: string; Cells: int; Ok: bool; Seconds: float; Note: string }

let run (path: string) : Outcome =
    let name = Path.GetFileName path
    let watch = Stopwatch.StartNew()
    try
        let cells = codeCells path
        let input = submissions cells
        let inputFile = Path.Combine(Path.GetTempPath(), $"micar-notebook-{Path.GetFileNameWithoutExtension path}-{Environment.ProcessId}.fsx.txt")
        File.WriteAllText(inputFile, input)
        printfn "── %s: %d code cells%s" name cells.Length (if keep then $" (submissions: {inputFile})" else "")
        let info = ProcessStartInfo("dotnet", "fsi --quiet --nologo")
        info.WorkingDirectory <- Path.GetDirectoryName path
        info.RedirectStandardInput <- true
        info.UseShellExecute <- false
        if quick then info.Environment.["MICAR_QUICK"] <- "1"
        use proc = Process.Start info
        proc.StandardInput.Write input
        proc.StandardInput.Close()
        let finished = proc.WaitForExit(timeoutSeconds * 1000)
        if not finished then
            proc.Kill(entireProcessTree = true)
            proc.WaitForExit()
        if not keep then File.Delete inputFile
        let ok = finished && proc.ExitCode = 0
        let note =
            if not finished then $"stopped after {timeoutSeconds} s"
            elif ok then "ok"
            else $"exit code {proc.ExitCode} (the failing cell is named above)"
        { Notebook = name; Cells = cells.Length; Ok = ok; Seconds = watch.Elapsed.TotalSeconds; Note = note }
    with e ->
        eprintfn "%s" e.Message
        { Notebook = name; Cells = 0; Ok = false; Seconds = watch.Elapsed.TotalSeconds; Note = e.Message }

/// Runs a notebook on the .NET Interactive F# kernel (dotnet-repl) and reads the executed copy: the first code cell
/// with an error output fails the notebook, with the kernel's message.
let runOnKernel (path: string) : Outcome =
    let name = Path.GetFileName path
    let watch = Stopwatch.StartNew()
    try
        let cells = codeCells path
        let executed = Path.Combine(Path.GetTempPath(), $"micar-notebook-{Path.GetFileNameWithoutExtension path}-{Environment.ProcessId}.executed.ipynb")
        printfn "── %s: %d code cells on the F# kernel%s" name cells.Length (if keep then $" (executed copy: {executed})" else "")
        let info = ProcessStartInfo("dotnet")
        for a in [ "dotnet-repl"; "--run"; path; "--exit-after-run"; "--default-kernel"; "fsharp"; "--working-dir"; Path.GetDirectoryName path
                   "--output-format"; "ipynb"; "--output-path"; executed ] do
            info.ArgumentList.Add a
        info.WorkingDirectory <- Path.GetDirectoryName path      // #load and #I resolve against the kernel's start folder
        info.UseShellExecute <- false
        info.RedirectStandardOutput <- true
        info.RedirectStandardError <- true
        if quick then info.Environment.["MICAR_QUICK"] <- "1"
        use proc = Process.Start info
        let out = proc.StandardOutput.ReadToEndAsync()
        let err = proc.StandardError.ReadToEndAsync()
        let finished = proc.WaitForExit(timeoutSeconds * 1000)
        if not finished then
            proc.Kill(entireProcessTree = true)
            proc.WaitForExit()
        // The executed copy: cell outputs in order; an "error" output marks the failing cell.
        let firstError =
            if not (File.Exists executed) then None
            else
                use doc = JsonDocument.Parse(File.ReadAllText executed)
                let all = doc.RootElement.GetProperty("cells").EnumerateArray() |> List.ofSeq
                all
                |> List.indexed
                |> List.tryPick (fun (i, c) ->
                    if c.GetProperty("cell_type").GetString() <> "code" then None
                    else
                        match c.TryGetProperty "outputs" with
                        | true, outputs ->
                            outputs.EnumerateArray()
                            |> Seq.tryFind (fun o -> o.GetProperty("output_type").GetString() = "error")
                            |> Option.map (fun o ->
                                let v (k: string) = match o.TryGetProperty k with | true, x -> x.GetString() | _ -> ""
                                i + 1, v "ename" + ": " + v "evalue")
                        | _ -> None)
        if not keep && File.Exists executed then File.Delete executed
        let ok = finished && proc.ExitCode = 0 && firstError.IsNone
        let note =
            match finished, firstError with
            | false, _ -> $"stopped after {timeoutSeconds} s"
            | _, Some(cell, message) ->
                eprintfn "%s, cell %d failed on the kernel:\n%s" name cell message
                $"cell {cell} failed (its error is above)"
            | _ when ok -> "ok"
            | _ ->
                eprintfn "%s%s" out.Result err.Result
                $"dotnet-repl exit code {proc.ExitCode}"
        { Notebook = name; Cells = cells.Length; Ok = ok; Seconds = watch.Elapsed.TotalSeconds; Note = note }
    with e ->
        eprintfn "%s" e.Message
        { Notebook = name; Cells = 0; Ok = false; Seconds = watch.Elapsed.TotalSeconds; Note = e.Message }

if notebooks.IsEmpty then failwith "no notebooks found"
let outcomes = notebooks |> List.map (if useFsi then run else runOnKernel)
printfn ""
for o in outcomes do
    printfn "%-7s %-32s %3d cells %7.1f s  %s" (if o.Ok then "passed" else "FAILED") o.Notebook o.Cells o.Seconds o.Note
let failed = outcomes |> List.filter (fun o -> not o.Ok) |> List.length
printfn "%d notebook(s) passed, %d failed%s, %s" (outcomes.Length - failed) failed (if quick then " (MICAR_QUICK=1)" else "")
    (if useFsi then "as dotnet fsi submissions" else "on the .NET Interactive F# kernel (dotnet-repl)")
exit (if failed = 0 then 0 else 1)

// Part of scripts/Micar.fsx (load that one): references the built assemblies and defines the abbreviations.
// A separate file because F# allows the `namespace global` that makes them visible to every script only in a
// loaded file, never in the script fsi runs.
#nowarn "211" // the Debug (or Release) folder may be absent
#I "../src/Micar.FSharp/bin/Release/net10.0"
#I "../src/Micar.FSharp/bin/Debug/net10.0"
#r "YamlDotNet.dll"
#r "Micar.Torch.dll"
#r "Micar.Core.dll"
#r "Micar.FSharp.dll"

namespace global

/// What scripts/Micar.fsx brings into every script: the assemblies' common types (abbreviations), the script's
/// arguments and the --quick flag. The F# surface (Spec, Layer, Tensor, Model, Metrics, Train, -->) is opened by
/// referencing Micar.FSharp.dll.
[<AutoOpen>]
module MicarScript =

    // Tensors and devices.
    type Tensor = Micar.Torch.Tensor
    type Libtorch = Micar.Torch.Libtorch
    type F = Micar.Torch.F
    type Autograd = Micar.Torch.Autograd
    type Generator = Micar.Torch.Generator
    type DType = Micar.Torch.DType
    type Device = Micar.Torch.Device

    // Layer descriptions.
    type ILayer = Micar.Layers.ILayer
    type Shape = Micar.Layers.Shape
    type Activation = Micar.Layers.Activation
    type AttentionScale = Micar.Layers.AttentionScale
    type MoeCombine = Micar.Layers.MoeCombine
    type MoeDispatch = Micar.Layers.MoeDispatch
    type Linear = Micar.Layers.Linear
    type RmsNorm = Micar.Layers.RmsNorm
    type Act = Micar.Layers.Act
    type Sequential = Micar.Layers.Sequential
    type Residual = Micar.Layers.Residual
    type PreNorm = Micar.Layers.PreNorm
    type Scope = Micar.Layers.Scope
    type CaptionModel = Micar.Layers.CaptionModel
    type ModelSummary = Micar.Layers.ModelSummary
    type ParamInfo = Micar.Layers.ParamInfo
    type ValidationError = Micar.Layers.ValidationError

    // Specs.
    type ModelSpec = Micar.Spec.ModelSpec
    type Presets = Micar.Spec.Presets
    type Ablations = Micar.Spec.Ablations

    // Bound networks.
    type CaptionNet = Micar.Model.CaptionNet
    type ParamStore = Micar.Nn.ParamStore
    type ForwardContext = Micar.Nn.ForwardContext
    type TraceRecorder = Micar.Nn.TraceRecorder
    type DecoderOutput = Micar.Layers.DecoderOutput
    type Checkpoint = Micar.Model.Checkpoint

    // Training, evaluation, explanation.
    type TrainOptions = Micar.Training.TrainOptions
    type TrainResult = Micar.Training.TrainResult
    type EpochRecord = Micar.Training.EpochRecord
    type EvalResult = Micar.Training.EvalResult
    type DecodeOptions = Micar.Decoding.DecodeOptions
    type ExplainData = Micar.Reports.ExplainData
    type SynthDataset = Micar.Data.Synthetic.SynthDataset
    type FindingExtractor = Micar.Data.Synthetic.FindingExtractor
    type FindingType = Micar.Data.Synthetic.FindingType

    // Text and metrics.
    type Vocabulary = Micar.Data.Vocabulary
    type Tokenizer = Micar.Data.Tokenizer
    type JuryScores = Micar.Metrics.JuryScores
    type CocoScores = Micar.Metrics.CocoScores
    type MetricReport = Micar.Metrics.MetricReport

    /// The arguments after the script's name (`dotnet fsi scripts/x.fsx a b` → ["a"; "b"]).
    let scriptArgs : string list = fsi.CommandLineArgs |> Array.toList |> List.tail

    /// True when the script was started with `--quick` (CI mode: smallest sizes, fewest variants).
    let quick : bool = List.contains "--quick" scriptArgs

    /// True when the script was started with the flag `name` (e.g. `--frozen`).
    let hasFlag (name: string) : bool = List.contains name scriptArgs

    /// The value after `name` (`--out runs/x` → Some "runs/x"); a missing value is an error naming the option.
    let argValue (name: string) : string option =
        let rec find args =
            match args with
            | n :: value :: _ when n = name && not (value.StartsWith "--") -> Some value
            | [ n ] | n :: _ :: _ when n = name -> failwithf "%s needs a value" name
            | _ :: rest -> find rest
            | [] -> None
        find scriptArgs

    /// The integer after `name`, or `fallback` when the option is absent; a value that is not an integer is an
    /// error naming the option.
    let intArg (name: string) (fallback: int) : int =
        match argValue name with
        | None -> fallback
        | Some text ->
            match System.Int32.TryParse text with
            | true, value -> value
            | false, _ -> failwithf "%s expects an integer, got '%s'" name text

    /// The repository's root folder (scripts live in <root>/scripts).
    let repoRoot : string = System.IO.Path.GetFullPath(System.IO.Path.Combine(__SOURCE_DIRECTORY__, ".."))

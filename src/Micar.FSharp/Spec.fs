/// <summary>
/// Pipeline functions over <see cref="T:Micar.Spec.ModelSpec"/>: presets, edits (each returns a copy with only the
/// named fields changed, like C#'s <c>with</c>), validation as <c>Result</c>, compilation, description and
/// JSON/YAML files. Edits do not check their arguments: <see cref="M:Micar.FSharp.Spec.validate"/> does, naming
/// the field at fault.
/// <code>
/// Spec.preset "tiny" |> Spec.withExperts 8 2 |> Spec.withDepth 3 |> Spec.validate
/// </code>
/// </summary>
[<RequireQualifiedAccess>]
module Micar.FSharp.Spec

open System
open System.IO
open Micar.Layers
open Micar.Spec

// ---------------------------------------------------------------------------------------------------------
// Presets

/// The spec of a preset name (e.g. <c>tiny</c>, <c>official-covctr</c>, <c>tiny-no-moe</c>).
/// Raises <see cref="T:System.ArgumentException"/> listing the presets when the name is unknown.
let preset (name: string) : ModelSpec = Presets.Get name

/// The spec of a preset name, or an error message listing the presets.
let tryPreset (name: string) : Result<ModelSpec, string> =
    match Presets.TryGet name with
    | true, spec -> Ok spec
    | false, _ ->
        let names = String.Join(", ", Presets.BaseNames)
        Error $"unknown preset '{name}'; presets: {names} (with optional ablation suffixes)"

/// The base preset names (each also accepts ablation suffixes such as <c>-no-moe</c>).
let presetNames : string list = List.ofSeq Presets.BaseNames

/// The official <c>cfg.py</c> defaults.
let defaults () : ModelSpec = ModelSpec()

// ---------------------------------------------------------------------------------------------------------
// Edits

let private moe (f: MoeSpec -> MoeSpec) (s: ModelSpec) = RecordCopy.set <@ fun (s: ModelSpec) -> s.Moe @> (f s.Moe) s
let private vision (f: VisionSpec -> VisionSpec) (s: ModelSpec) = RecordCopy.set <@ fun (s: ModelSpec) -> s.Vision @> (f s.Vision) s
let private vocab (f: VocabSpec -> VocabSpec) (s: ModelSpec) = RecordCopy.set <@ fun (s: ModelSpec) -> s.Vocab @> (f s.Vocab) s
let private training (f: TrainingSpec -> TrainingSpec) (s: ModelSpec) = RecordCopy.set <@ fun (s: ModelSpec) -> s.Training @> (f s.Training) s

/// Sets <c>name</c>.
let withName (name: string) (spec: ModelSpec) = RecordCopy.set <@ fun (s: ModelSpec) -> s.Name @> name spec

/// Sets <c>description</c>.
let withDescription (text: string) (spec: ModelSpec) = RecordCopy.set <@ fun (s: ModelSpec) -> s.Description @> text spec

/// Sets the model width <c>dModel</c> (must stay divisible by <c>heads</c>).
let withWidth (dModel: int) (spec: ModelSpec) = RecordCopy.set <@ fun (s: ModelSpec) -> s.DModel @> dModel spec

/// Sets the attention shape: <c>heads</c>, <c>qkNopeDim</c>, <c>qkRopeDim</c> and the implied
/// <c>dLatent = heads·(nope + rope)</c>.
let withAttention (heads: int) (nopeDim: int) (ropeDim: int) (spec: ModelSpec) =
    spec
    |> RecordCopy.set <@ fun (s: ModelSpec) -> s.Heads @> heads
    |> RecordCopy.set <@ fun (s: ModelSpec) -> s.QkNopeDim @> nopeDim
    |> RecordCopy.set <@ fun (s: ModelSpec) -> s.QkRopeDim @> ropeDim
    |> RecordCopy.set <@ fun (s: ModelSpec) -> s.DLatent @> (heads * (nopeDim + ropeDim))

/// Sets the number of heads, keeping the per-head widths (so <c>dLatent</c> scales with the heads).
let withHeads (heads: int) (spec: ModelSpec) = withAttention heads spec.QkNopeDim spec.QkRopeDim spec

/// Sets the hidden width <c>dFf</c> of the feed-forwards and experts.
let withFf (dFf: int) (spec: ModelSpec) = RecordCopy.set <@ fun (s: ModelSpec) -> s.DFf @> dFf spec

/// Sets the activation of the feed-forwards, experts and fusion MLPs.
let withActivation (activation: Activation) (spec: ModelSpec) =
    RecordCopy.set <@ fun (s: ModelSpec) -> s.Activation @> activation spec

/// Sets the dropout of the embedding, feed-forward outputs and fusion MLP.
let withDropout (p: float) (spec: ModelSpec) = RecordCopy.set <@ fun (s: ModelSpec) -> s.Dropout @> p spec

/// Sets the dropout on attention probabilities.
let withAttentionDropout (p: float) (spec: ModelSpec) = RecordCopy.set <@ fun (s: ModelSpec) -> s.AttentionDropout @> p spec

/// Sets the score scaling (<c>PerHead</c>: official; <c>Latent</c>: paper).
let withScale (scale: AttentionScale) (spec: ModelSpec) = RecordCopy.set <@ fun (s: ModelSpec) -> s.AttentionScale @> scale spec

/// Sets the number of latent-encoder and decoder blocks.
let withLayers (encoderLayers: int) (decoderLayers: int) (spec: ModelSpec) =
    spec
    |> RecordCopy.set <@ fun (s: ModelSpec) -> s.EncoderLayers @> encoderLayers
    |> RecordCopy.set <@ fun (s: ModelSpec) -> s.DecoderLayers @> decoderLayers

/// Sets the depth of the model: <paramref name="layers"/> encoder blocks and as many decoder blocks
/// (for the ResNet depth see <see cref="M:Micar.FSharp.Spec.withBackbone"/>).
let withDepth (layers: int) (spec: ModelSpec) = withLayers layers layers spec

/// Sets the number of experts E and the experts per token k.
let withExperts (experts: int) (topK: int) (spec: ModelSpec) =
    spec |> moe (RecordCopy.set <@ fun (m: MoeSpec) -> m.Experts @> experts >> RecordCopy.set <@ fun (m: MoeSpec) -> m.TopK @> topK)

/// Sets the experts per token k.
let withTopK (topK: int) (spec: ModelSpec) = spec |> moe (RecordCopy.set <@ fun (m: MoeSpec) -> m.TopK @> topK)

/// Sets how selected experts are combined (<c>Sum</c>: official; <c>Weighted</c>: paper).
let withCombine (combine: MoeCombine) (spec: ModelSpec) = spec |> moe (RecordCopy.set <@ fun (m: MoeSpec) -> m.Combine @> combine)

/// Sets how experts are run (<c>Dense</c>: official; <c>Sparse</c>: only on their tokens).
let withDispatch (dispatch: MoeDispatch) (spec: ModelSpec) = spec |> moe (RecordCopy.set <@ fun (m: MoeSpec) -> m.Dispatch @> dispatch)

/// Sets the weight of the MoE balance loss.
let withBalanceLossWeight (weight: float) (spec: ModelSpec) =
    spec |> moe (RecordCopy.set <@ fun (m: MoeSpec) -> m.BalanceLossWeight @> weight)

/// Sets the MoE routing rule by name (<c>moe.router</c>: one of <see cref="P:Micar.Layers.MoeRouters.Names"/>, e.g.
/// <c>"top-k"</c>, the official rule).
let withRouter (name: string) (spec: ModelSpec) =
    spec |> moe (RecordCopy.set <@ fun (m: MoeSpec) -> m.Router @> name)

/// Sets the text length T.
let withTextLength (length: int) (spec: ModelSpec) = RecordCopy.set <@ fun (s: ModelSpec) -> s.TextSeqLen @> length spec

/// Uses a plain vocabulary of <paramref name="size"/> ids (no released dataset vocabulary).
let withVocabSize (size: int) (spec: ModelSpec) =
    spec
    |> vocab (RecordCopy.set <@ fun (v: VocabSpec) -> v.Dataset @> null >> RecordCopy.set <@ fun (v: VocabSpec) -> v.Size @> (Nullable size))

/// Uses the released vocabulary of a dataset (<c>covctr</c>, <c>mmretinal</c>, <c>pgross</c>, <c>roco</c>).
let withVocab (dataset: string) (spec: ModelSpec) =
    spec
    |> vocab (RecordCopy.set <@ fun (v: VocabSpec) -> v.Dataset @> dataset >> RecordCopy.set <@ fun (v: VocabSpec) -> v.Size @> (Nullable()))

/// Sets the ResNet depth of the vision trunk (18, 34, 50, 101, 152).
let withBackbone (depth: int) (spec: ModelSpec) = spec |> vision (RecordCopy.set <@ fun (v: VisionSpec) -> v.Depth @> depth)

/// Sets the side of the square input image in pixels.
let withImageSize (pixels: int) (spec: ModelSpec) = spec |> vision (RecordCopy.set <@ fun (v: VisionSpec) -> v.ImageSize @> pixels)

/// Sets the width d_v of the image tokens.
let withVisionWidth (dV: int) (spec: ModelSpec) = spec |> vision (RecordCopy.set <@ fun (v: VisionSpec) -> v.DV @> dV)

/// Sets the side of the pooled token grid (N = grid² image tokens).
let withGrid (grid: int) (spec: ModelSpec) = spec |> vision (RecordCopy.set <@ fun (v: VisionSpec) -> v.Grid @> grid)

/// Sets the path of torchvision-keyed ImageNet weights for the trunk.
let withPretrained (path: string) (spec: ModelSpec) =
    spec |> vision (RecordCopy.set <@ fun (v: VisionSpec) -> v.PretrainedWeights @> path)

/// Sets the batch size of training.
let withBatchSize (size: int) (spec: ModelSpec) = spec |> training (RecordCopy.set <@ fun (t: TrainingSpec) -> t.BatchSize @> size)

/// Sets the number of training epochs.
let withEpochs (epochs: int) (spec: ModelSpec) = spec |> training (RecordCopy.set <@ fun (t: TrainingSpec) -> t.Epochs @> epochs)

/// Sets the learning rate of everything but the vision encoder.
let withLr (lr: float) (spec: ModelSpec) = spec |> training (RecordCopy.set <@ fun (t: TrainingSpec) -> t.Lr @> lr)

/// Sets the random seed of training.
let withSeed (seed: int64) (spec: ModelSpec) = spec |> training (RecordCopy.set <@ fun (t: TrainingSpec) -> t.Seed @> seed)

/// Sets the beam width of decoding.
let withBeamWidth (width: int) (spec: ModelSpec) = spec |> training (RecordCopy.set <@ fun (t: TrainingSpec) -> t.BeamWidth @> width)

/// The "w/o MoE" ablation: one dense gated FFN per decoder block.
let withoutMoe (spec: ModelSpec) = Ablations.WithoutMoe spec

/// The "w/o MSVE" ablation: pooled last ResNet stage, <c>vision.dV</c> set to the trunk's channels.
let withoutMsve (spec: ModelSpec) = Ablations.WithoutMsve spec

/// The "w/o latent encoder" ablation.
let withoutLatentEncoder (spec: ModelSpec) = Ablations.WithoutLatentEncoder spec

/// The "w/o balance loss" ablation (<c>moe.balanceLossWeight = 0</c>).
let withoutBalanceLoss (spec: ModelSpec) = Ablations.WithoutBalanceLoss spec

// ---------------------------------------------------------------------------------------------------------
// Validation, compilation, description

/// <c>Ok spec</c>, or every problem, each naming its field path (e.g. <c>moe.topK</c>).
let validate (spec: ModelSpec) : Result<ModelSpec, ValidationError list> =
    match List.ofSeq (spec.Validate()) with
    | [] -> Ok spec
    | errors -> Error errors

/// The layer-description tree of a valid spec.
let compile (spec: ModelSpec) : Result<CaptionModel, ValidationError list> =
    validate spec |> Result.map (fun s -> s.Compile())

/// The per-block table (path, kind, output shape, parameters, FLOPs) and totals for a batch of <paramref name="batch"/>.
let describeBatch (batch: int) (spec: ModelSpec) : Result<ModelSummary, ValidationError list> =
    validate spec |> Result.map (fun s -> s.Describe batch)

/// The per-block table and totals for one image (<c>ToText()</c>, <c>ToJson()</c>, <c>Totals</c>).
let describe (spec: ModelSpec) : Result<ModelSummary, ValidationError list> = describeBatch 1 spec

/// The value of a validation result, or raises <see cref="T:Micar.Spec.SpecValidationException"/> listing the errors.
let orRaise (result: Result<'T, ValidationError list>) : 'T =
    match result with
    | Ok value -> value
    | Error errors -> raise (SpecValidationException("spec", List.toArray errors))

// ---------------------------------------------------------------------------------------------------------
// JSON and YAML

/// The spec as indented JSON (camelCase keys, enums as strings).
let toJson (spec: ModelSpec) : string = SpecSerializer.ToJson spec

/// The spec as YAML.
let toYaml (spec: ModelSpec) : string = SpecSerializer.ToYaml spec

let private reading (file: string) (read: unit -> ModelSpec) : Result<ModelSpec, SpecError> =
    try
        Ok(read ())
    with
    | :? SpecFormatException as e -> Error(Malformed(e.File, List.ofSeq e.Problems))
    | :? IOException as e -> Error(FileError(file, e.Message))
    | :? UnauthorizedAccessException as e -> Error(FileError(file, e.Message))

/// Reads a spec from JSON text; errors name the field (and <c>&lt;json&gt;</c> as the file).
let ofJson (json: string) : Result<ModelSpec, SpecError> = reading "<json>" (fun () -> SpecSerializer.FromJson json)

/// Reads a spec from YAML text; errors name the field and line.
let ofYaml (yaml: string) : Result<ModelSpec, SpecError> = reading "<yaml>" (fun () -> SpecSerializer.FromYaml yaml)

/// Reads a <c>.json</c>, <c>.yaml</c> or <c>.yml</c> file (not validated: pipe into <see cref="M:Micar.FSharp.Spec.validate"/>).
let load (path: string) : Result<ModelSpec, SpecError> = reading path (fun () -> SpecSerializer.Load path)

/// Writes a spec as JSON or YAML according to the extension of <paramref name="path"/>.
let save (path: string) (spec: ModelSpec) : Result<unit, SpecError> =
    try
        Ok(SpecSerializer.Save(spec, path))
    with
    | :? ArgumentException as e -> Error(FileError(path, e.Message))
    | :? IOException as e -> Error(FileError(path, e.Message))
    | :? UnauthorizedAccessException as e -> Error(FileError(path, e.Message))

/// A preset name, or a spec file when <paramref name="presetOrPath"/> names an existing one.
let resolve (presetOrPath: string) : Result<ModelSpec, SpecError> =
    match Presets.TryGet presetOrPath with
    | true, spec -> Ok spec
    | false, _ when File.Exists presetOrPath -> load presetOrPath
    | false, _ ->
        Error(FileError(presetOrPath, "neither a preset (" + String.Join(", ", Presets.BaseNames) + ") nor an existing spec file"))

/// Reads and validates a spec file in one step.
let loadValid (path: string) : Result<ModelSpec, SpecError> =
    load path |> Result.bind (validate >> Result.mapError Invalid)

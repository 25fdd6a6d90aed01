/// <summary>
/// Training, evaluation and explanation from F#: thin functions over <see cref="T:Micar.Training.Trainer"/>,
/// <see cref="T:Micar.Training.Evaluator"/> and <see cref="T:Micar.Training.Explainer"/> (the recipe, the metrics and
/// the run files are theirs). Options are built with <c>Train.options</c> and edited in a pipeline, like specs.
/// <code>
/// let result =
///     Train.options (Spec.preset "tiny") "data/synth" "runs/tiny"
///     |> Train.withEpochs 2
///     |> Train.frozen
///     |> Train.run
/// let test = Train.best result |> Train.evaluate "data/synth" "test"     // test.Scores.["bleu4"]
/// </code>
/// </summary>
[<RequireQualifiedAccess>]
module Micar.FSharp.Train

open System
open System.IO
open Micar.Data.Synthetic
open Micar.Decoding
open Micar.Model
open Micar.Reports
open Micar.Spec
open Micar.Training

// ---------------------------------------------------------------------------------------------------------
// Data

/// Writes the synthetic chest-CT dataset (<c>images/</c>, <c>train.csv</c>, <c>val.csv</c>, <c>test.csv</c>, an 8 : 1 : 1
/// split) of <paramref name="n"/> studies of <paramref name="size"/>² pixels into <paramref name="directory"/>.
/// The files depend only on (n, seed, size).
let synthesise (directory: string) (n: int) (seed: int) (size: int) : SynthDatasetSummary =
    SynthDataset.Write(directory, n, seed, size)

/// The rows of one split (<c>train</c>, <c>val</c>, <c>test</c>) of a dataset folder: absolute image paths and reports.
let split (dataDir: string) (name: string) : SplitData = SplitData.Load(dataDir, name)

// ---------------------------------------------------------------------------------------------------------
// Options

/// Training <paramref name="spec"/> on the dataset in <paramref name="dataDir"/>, writing the run into
/// <paramref name="runDir"/>; every other setting comes from the spec's training section.
let options (spec: ModelSpec) (dataDir: string) (runDir: string) : TrainOptions =
    TrainOptions(Spec = spec, DataDir = dataDir, RunDir = runDir)

/// Trains into a run folder that already holds a run: its run files are deleted once the folder's lock is held and the
/// data checked (without this a non-empty folder is refused, so that no earlier run is lost by accident).
let withOverwrite (o: TrainOptions) = RecordCopy.set <@ fun (o: TrainOptions) -> o.Overwrite @> true o

/// Sets the number of epochs.
let withEpochs (epochs: int) (o: TrainOptions) = RecordCopy.set <@ fun (o: TrainOptions) -> o.Epochs @> (Nullable epochs) o

/// Sets the batch size.
let withBatchSize (size: int) (o: TrainOptions) = RecordCopy.set <@ fun (o: TrainOptions) -> o.BatchSize @> (Nullable size) o

/// Sets the seed (parameter initialisation, shuffling, dropout).
let withSeed (seed: int64) (o: TrainOptions) = RecordCopy.set <@ fun (o: TrainOptions) -> o.Seed @> (Nullable seed) o

/// Sets the early-stopping patience in epochs.
let withPatience (epochs: int) (o: TrainOptions) = RecordCopy.set <@ fun (o: TrainOptions) -> o.Patience @> (Nullable epochs) o

/// Sets the beam width of the validation decoding after each epoch (1: greedy, the cheapest).
let withValidationBeam (width: int) (o: TrainOptions) =
    RecordCopy.set <@ fun (o: TrainOptions) -> o.ValidationBeam @> (Nullable width) o

/// Uses at most <paramref name="trainRows"/> training and <paramref name="valRows"/> validation rows.
let withMaxRows (trainRows: int) (valRows: int) (o: TrainOptions) =
    o
    |> RecordCopy.set <@ fun (o: TrainOptions) -> o.MaxTrainRows @> (Nullable trainRows)
    |> RecordCopy.set <@ fun (o: TrainOptions) -> o.MaxValRows @> (Nullable valRows)

/// Freezes the vision encoder (batch-norm statistics calibrated on training images first) and caches the image
/// tokens, so that the encoder runs once per image instead of once per epoch — about ten times cheaper epochs.
let frozen (o: TrainOptions) =
    o
    |> RecordCopy.set <@ fun (o: TrainOptions) -> o.FreezeVision @> true
    |> RecordCopy.set <@ fun (o: TrainOptions) -> o.CacheFeatures @> true

/// Replaces every image by zeros (the text-only baseline).
let blind (o: TrainOptions) = RecordCopy.set <@ fun (o: TrainOptions) -> o.Blind @> true o

/// Sends the progress lines (one per epoch, plus set-up lines) to <paramref name="log"/> instead of stderr.
let withLog (log: string -> unit) (o: TrainOptions) =
    RecordCopy.set <@ fun (o: TrainOptions) -> o.Log @> (Action<string> log) o

/// Drops the progress lines.
let quiet (o: TrainOptions) = withLog ignore o

// ---------------------------------------------------------------------------------------------------------
// Running

/// Trains with the official recipe (see <see cref="T:Micar.Training.Trainer"/>): a checkpoint of the best
/// validation score in <c>&lt;run&gt;/best</c>, the last epoch's state in <c>&lt;run&gt;/last</c>, one JSON line per
/// epoch in <c>&lt;run&gt;/metrics.jsonl</c>.
let run (o: TrainOptions) : TrainResult = Trainer.Run o

/// The checkpoint folder of the best epoch of a run.
let best (result: TrainResult) : string = Path.Combine(result.RunDir, Trainer.BestDir)

/// The checkpoint folder of the best epoch of the run in <paramref name="runDir"/>.
let bestIn (runDir: string) : string = Path.Combine(runDir, Trainer.BestDir)

/// What each epoch of a run did (losses, validation metrics, expert load, timing), first epoch first.
let history (result: TrainResult) : EpochRecord list = List.ofSeq result.History

/// The epoch log of the run in <paramref name="runDir"/> (empty when it has none).
let historyOf (runDir: string) : EpochRecord list = List.ofSeq (Trainer.ReadHistory runDir)

let private withCheckpoint (checkpointDir: string) (f: Checkpoint.Loaded -> 'T) : 'T =
    let loaded = Checkpoint.Load checkpointDir
    try
        f loaded
    finally
        loaded.Params.Dispose()

/// Decodes every image of a split with the checkpoint in <paramref name="checkpointDir"/> under explicit decoding
/// options, and scores the reports (jury BLEU-1…4, METEOR, ROUGE-L, coco CIDEr-D, and finding F1 on synthetic data).
let evaluateWith (decode: DecodeOptions) (dataDir: string) (splitName: string) (checkpointDir: string) : EvalResult =
    withCheckpoint checkpointDir (fun ckpt -> Evaluator.Run(ckpt, dataDir, splitName, decode))

/// Like <see cref="M:Micar.FSharp.Train.evaluateWith"/> with greedy decoding.
let evaluate (dataDir: string) (splitName: string) (checkpointDir: string) : EvalResult =
    evaluateWith (DecodeOptions(BeamWidth = 1)) dataDir splitName checkpointDir

/// Writes <c>&lt;split&gt;_reports.csv</c> and <c>&lt;split&gt;_metrics.json</c> of an evaluation into <paramref name="outDir"/>.
let writeEvaluation (outDir: string) (result: EvalResult) : string * string =
    let struct (csv, json) = Evaluator.Write(result, outDir)
    csv, json

/// Generates the report of one image and records what the model looked at while writing it (cross- and
/// self-attention, expert routing, the MSVE pyramid); <paramref name="reference"/> may be null.
let explainWith (decode: DecodeOptions) (checkpointDir: string) (reference: string) (imagePath: string) : ExplainData =
    withCheckpoint checkpointDir (fun ckpt -> Explainer.Explain(ckpt, imagePath, decode, reference))

/// Like <see cref="M:Micar.FSharp.Train.explainWith"/> with greedy decoding and no reference.
let explain (checkpointDir: string) (imagePath: string) : ExplainData =
    explainWith (DecodeOptions(BeamWidth = 1)) checkpointDir null imagePath

/// Renders the explain figures (SVG) of <paramref name="data"/> into <paramref name="outDir"/>; returns the files written.
let render (outDir: string) (data: ExplainData) : string list = List.ofSeq (ExplainRenderer.Render(data, outDir))

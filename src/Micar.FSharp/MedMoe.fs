/// <summary>
/// MedMoE from F#: thin functions over <see cref="T:Micar.Spec.MedMoePresets"/>, <see cref="T:Micar.Training.MedMoeTrainer"/>
/// and <see cref="T:Micar.Training.MedMoeEvaluation"/> (the recipe, the metrics and the run files are theirs). Options are
/// built with <c>MedMoe.options</c> and edited in a pipeline, like the caption model's <c>Train</c> options.
/// <code>
/// let trained =
///     MedMoe.options 6
///     |> MedMoe.withBatchSize 32
///     |> MedMoe.inRun "runs/medmoe"
///     |> MedMoe.train (MedMoe.preset "medmoe-tiny") "data/mm"
/// let scores = MedMoe.evaluate "data/mm" "test" trained          // scores.ImageToText.R1, scores.ZeroShot.MacroF1
/// </code>
/// </summary>
[<RequireQualifiedAccess>]
module Micar.FSharp.MedMoe

open System
open Micar.Spec
open Micar.Training

/// A MedMoE preset (<c>medmoe-tiny</c>, <c>medmoe-base</c>, with the suffixes <c>-unconditioned</c>, <c>-no-moe</c>) or a
/// spec file with <c>family: medmoe</c>.
let preset (nameOrPath: string) : MedMoeSpec =
    match MedMoePresets.TryResolve nameOrPath with
    | true, spec -> spec
    | _ ->
        let known = String.Join(", ", MedMoePresets.Names)
        invalidArg (nameof nameOrPath) $"'{nameOrPath}' is neither a MedMoE preset ({known}) nor a MedMoE spec file"

/// The spec at another image size (the synthetic data's side, for instance).
let withImageSize (size: int) (spec: MedMoeSpec) : MedMoeSpec = spec.WithImageSize size

/// Writes the two-modality synthetic dataset: <paramref name="xrayShare"/> of the studies rendered as radiographs with
/// their own report vocabulary, the rest as CT slices, and <c>modality.csv</c>.
let synthesise (directory: string) (n: int) (seed: int) (size: int) (xrayShare: float) =
    Micar.Data.Synthetic.SynthDataset.Write(directory, n, seed, size, xrayShare = xrayShare)

/// Training options: <paramref name="epochs"/> epochs, everything else from the spec.
let options (epochs: int) : MedMoeTrainOptions = MedMoeTrainOptions(Epochs = Nullable epochs)

let private set (property: Quotations.Expr<MedMoeTrainOptions -> 'P>) (value: 'P) (o: MedMoeTrainOptions) = RecordCopy.set property value o

/// Sets the batch size (also the number of in-batch negatives).
let withBatchSize (size: int) (o: MedMoeTrainOptions) = set <@ fun o -> o.BatchSize @> (Nullable size) o

/// Sets the seed (initialisation, shuffling, dropout).
let withSeed (seed: int64) (o: MedMoeTrainOptions) = set <@ fun o -> o.Seed @> (Nullable seed) o

/// Prints one line per epoch.
let verbose (o: MedMoeTrainOptions) = set <@ fun o -> o.Log @> (Action<string>(printfn "%s")) o

/// Saves the training state into <paramref name="runDir"/>/last after every epoch (see <c>resuming</c>).
let inRun (runDir: string) (o: MedMoeTrainOptions) = set <@ fun o -> o.RunDir @> runDir o

/// Continues the run given to <c>inRun</c> from its saved state.
let resuming (o: MedMoeTrainOptions) = set <@ fun o -> o.Resume @> true o

/// Trains <paramref name="spec"/> on the dataset folder (dispose the result to free its parameters).
let train (spec: MedMoeSpec) (dataDir: string) (o: MedMoeTrainOptions) : MedMoeTrained = MedMoeTrainer.Train(spec, dataDir, o)

/// Retrieval Recall@1/5/10 both ways, zero-shot finding F1 (when the split has ground truth) and modality accuracy on a
/// split, with images routed by their predicted modality.
let evaluate (dataDir: string) (split: string) (trained: MedMoeTrained) : MedMoeScores =
    MedMoeEvaluation.Evaluate(trained, MedMoeSplit.Load(dataDir, split, trained.Spec.Modalities))

/// Writes a checkpoint folder (<c>MedMoe.load</c> reads it back).
let save (directory: string) (trained: MedMoeTrained) = MedMoeTrainer.Save(directory, trained)

/// Reads a checkpoint folder.
let load (directory: string) : MedMoeTrained = MedMoeTrainer.Load directory

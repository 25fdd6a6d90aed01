// The MedMoE router ablation on synthetic data with two modalities (CT slices and radiograph-like projections, each
// with its own report vocabulary): the modality-conditioned router, the same router without the modality, and no MoE
// (one branch per scale), each trained with the same data, budget and seeds from the medmoe-tiny preset, evaluated on
// the test split without any modality input (images are routed by their predicted modality), and printed as one
// markdown table of image→text and text→image Recall@1/5/10 and zero-shot finding F1, one row per variant and seed plus
// the mean. Results also go to <out>/medmoe-ablation.md and .json.
//
//     dotnet build src/Micar.FSharp -c Release
//     dotnet fsi scripts/medmoe-ablation.fsx [--quick] [--n N] [--size PX] [--epochs E] [--seeds 1,2] [--out DIR]
//
// Default: 2,000 images at 96 px (half of them radiographs; 1,600 train / 200 val / 200 test), 6 epochs of batch 32
// per model (medmoe-tiny), seeds 1 and 2: about 3-4 minutes per model on a shared 2-core CPU.
// --quick: CI smoke run: 80 images at 64 px, one epoch, one seed (the pipeline, not the numbers).
#load "Micar.fsx"

open System.IO
open System.Text
open System.Text.Json
open Micar.Spec
open Micar.Training
open Micar.Data.Synthetic

let n = intArg "--n" (if quick then 80 else 2000)
let imageSize = intArg "--size" (if quick then 64 else 96)
let epochs = intArg "--epochs" (if quick then 1 else 6)
let seeds =
    argValue "--seeds" |> Option.map (fun s -> s.Split(',') |> Array.map int64 |> List.ofArray)
    |> Option.defaultValue (if quick then [ 1L ] else [ 1L; 2L ])
let outDir = argValue "--out" |> Option.defaultValue (Path.Combine(repoRoot, "runs", (if quick then "medmoe-ablation-quick" else "medmoe-ablation")))
let dataDir = Path.Combine(outDir, $"data-{n}-{imageSize}")

if not (File.Exists(Path.Combine(dataDir, "dataset.json"))) then
    SynthDataset.Write(dataDir, n, 7, imageSize, System.Nullable(), 0.5) |> ignore

let variants = [ "conditioned", ""; "unconditioned", "-unconditioned"; "no MoE", "-no-moe" ]
let test = MedMoeSplit.Load(dataDir, "test")

let rows =
    [ for (label, suffix) in variants do
        for seed in seeds do
            let spec = MedMoePresets.Get("medmoe-tiny" + suffix).WithImageSize imageSize
            let clock = System.Diagnostics.Stopwatch.StartNew()
            use trained =
                MedMoeTrainer.Train(spec, dataDir, MedMoeTrainOptions(Epochs = epochs, Seed = seed, Log = fun line -> printfn "  %s %d: %s" label seed line))
            let s = MedMoeEvaluation.Evaluate(trained, test)
            printfn "%s seed %d: %.0f s" label seed clock.Elapsed.TotalSeconds
            yield label, seed, s ]

let f3 (x: float) = x.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)
let line (label: string) (seed: string) (ss: MedMoeScores list) =
    let mean f = ss |> List.averageBy f
    let cells =
        [ mean (fun s -> s.ImageToText.R1); mean (fun s -> s.ImageToText.R5); mean (fun s -> s.ImageToText.R10)
          mean (fun s -> s.TextToImage.R1); mean (fun s -> s.TextToImage.R5); mean (fun s -> s.TextToImage.R10)
          mean (fun s -> s.ZeroShot.MacroF1); mean (fun s -> s.ZeroShot.MicroF1); mean (fun s -> s.ModalityAccuracy) ]
    $"| {label} | {seed} | " + (cells |> List.map f3 |> String.concat " | ") + " |"
let table =
    let sb = StringBuilder()
    sb.AppendLine($"{n} synthetic images at {imageSize} px (half radiographs), test split {test.Count}, {epochs} epochs of medmoe-tiny") |> ignore
    sb.AppendLine() |> ignore
    sb.AppendLine("| router | seed | i→t R@1 | i→t R@5 | i→t R@10 | t→i R@1 | t→i R@5 | t→i R@10 | zero-shot macro F1 | zero-shot micro F1 | modality acc. |") |> ignore
    sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|") |> ignore
    for (label, _) in variants do
        let mine = rows |> List.filter (fun (l, _, _) -> l = label)
        for (_, seed, s) in mine do sb.AppendLine(line label (string seed) [ s ]) |> ignore
        if mine.Length > 1 then sb.AppendLine(line $"**{label}**" "mean" (mine |> List.map (fun (_, _, s) -> s))) |> ignore
    sb.ToString()
printfn "%s" table
Directory.CreateDirectory outDir |> ignore
File.WriteAllText(Path.Combine(outDir, "medmoe-ablation.md"), table)
File.WriteAllText(Path.Combine(outDir, "medmoe-ablation.json"),
    JsonSerializer.Serialize(rows |> List.map (fun (l, seed, s) -> {| router = l; seed = seed; scores = s |}), JsonSerializerOptions(WriteIndented = true)))

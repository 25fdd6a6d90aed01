// The ablations of the paper's Table III on the tiny preset: the full model, w/o balance loss, w/o MoE, w/o latent
// encoder and w/o MSVE, each trained with the same data, seed and budget on the synthetic chest-CT set, evaluated on
// its test split and printed as one table (BLEU-1..4, METEOR, ROUGE-L as the paper reports them, plus the finding F1
// the synthetic set allows). Results are also written to <out>/ablations.md and <out>/ablations.json.
//
//     dotnet build src/Micar.FSharp -c Release
//     dotnet fsi scripts/ablations.fsx [--quick] [--frozen] [--n N] [--size PX] [--epochs E] [--out DIR]
//                                      [--only full,no-balance-loss,no-moe,no-latent-encoder,no-msve]
//
// Budgets (measured on a shared 2-core CPU):
//   default   1,000 synthetic images at 112 px (800 train / 100 val / 100 test), 6 epochs each, the vision encoder
//             trained end to end as in the paper, greedy validation, test decoded with the spec's beam (3):
//             6-9 minutes per model, 36 minutes for the five. This budget teaches the report template but hardly
//             any findings (finding F1 near 0, beam search mostly writes the normal report), so the differences
//             between rows are small and noisy; for finding-level differences train longer, e.g.
//             --n 2000 --epochs 8 (the budget of `micar demo`, about 1.5-2 hours for the five).
//   --frozen  the same with the vision encoder frozen (batch-norm statistics calibrated) and its tokens cached: the
//             text side then dominates, epochs are 2-5 times cheaper (3-4 minutes per model); frozen random ResNet
//             features carry little of the findings, so every row tends to the template. Output in
//             runs/ablations-frozen.
//   --quick   CI smoke run: 40 images at 64 px (32 / 4 / 4), reports cut to 40 tokens, one frozen+cached epoch,
//             greedy decoding; 20-30 s, it checks the pipeline, not the numbers.
#load "Micar.fsx"

open System.Diagnostics
open System.IO
open System.Text
open System.Text.Json

let n = intArg "--n" (if quick then 40 else 1000)
let imageSize = intArg "--size" (if quick then 64 else 112)
let epochs = intArg "--epochs" (if quick then 1 else 6)
let frozenVision = quick || hasFlag "--frozen"
let outDir =
    let name = if quick then "ablations-quick" elif frozenVision then "ablations-frozen" else "ablations"
    argValue "--out" |> Option.defaultValue (Path.Combine(repoRoot, "runs", name))
let dataDir = Path.Combine(outDir, $"data-{n}-{imageSize}")

let baseSpec =
    Spec.preset "tiny"
    |> Spec.withImageSize imageSize
    |> if quick then Spec.withTextLength 40 else id
let beam = if quick then 1 else baseSpec.Training.BeamWidth

/// The rows of Table III: a key for --only, the name the paper gives and the spec edit.
let allVariants : (string * string * ModelSpec) list =
    [ "full", "MicarVLMoE (full)", baseSpec
      "no-balance-loss", "w/o balance loss", Spec.withoutBalanceLoss baseSpec
      "no-moe", "w/o MoE", Spec.withoutMoe baseSpec
      "no-latent-encoder", "w/o latent encoder", Spec.withoutLatentEncoder baseSpec
      "no-msve", "w/o MSVE", Spec.withoutMsve baseSpec ]

let variants : (string * ModelSpec) list =
    let keys = allVariants |> List.map (fun (key, _, _) -> key)
    let chosen =
        match argValue "--only" with
        | None -> keys
        | Some list ->
            let wanted = list.Split(',', System.StringSplitOptions.RemoveEmptyEntries ||| System.StringSplitOptions.TrimEntries) |> List.ofArray
            match wanted |> List.filter (fun w -> not (List.contains w keys)) with
            | [] -> wanted
            | unknown -> failwithf "--only: unknown variant(s) %s; variants: %s" (String.concat ", " unknown) (String.concat ", " keys)
    allVariants |> List.filter (fun (key, _, _) -> List.contains key chosen) |> List.map (fun (_, name, spec) -> name, spec)

let total = Stopwatch.StartNew()
let summary = Train.synthesise dataDir n 7 imageSize
printfn "synthetic data: %d train / %d val / %d test images at %d px in %s" summary.Train summary.Val summary.Test imageSize dataDir
printfn "budget: %d epoch(s) per model, vision encoder %s, test decoding %s"
    epochs (if frozenVision then "frozen (tokens cached)" else "trained end to end")
    (if beam = 1 then "greedy" else $"beam {beam}")
printfn ""

type Row = { Name: string; Spec: ModelSpec; Epochs: int; Seconds: float; Scores: System.Collections.Generic.Dictionary<string, float> }

let train (name: string, spec: ModelSpec) : Row =
    let watch = Stopwatch.StartNew()
    let runDir = Path.Combine(outDir, spec.Name)
    let options =
        Train.options spec dataDir runDir
        |> Train.withOverwrite
        |> Train.withEpochs epochs
        |> Train.withPatience epochs
        |> Train.withValidationBeam 1
        |> Train.withLog (fun line -> eprintfn "  [%s] %s" spec.Name line)
    let result = Train.run (if frozenVision then Train.frozen options else options)
    let test = Train.best result |> Train.evaluateWith (DecodeOptions(BeamWidth = beam)) dataDir "test"
    Train.writeEvaluation (Path.Combine(runDir, "eval")) test |> ignore
    let row = { Name = name; Spec = spec; Epochs = result.Epochs; Seconds = watch.Elapsed.TotalSeconds; Scores = test.Scores }
    printfn "%-20s trained %d epoch(s) and evaluated in %5.1f s (best epoch %d)" name result.Epochs row.Seconds result.BestEpoch
    row

let rows = variants |> List.map train

let columns =
    [ "BLEU-1", "bleu1"; "BLEU-2", "bleu2"; "BLEU-3", "bleu3"; "BLEU-4", "bleu4"; "METEOR", "meteor"; "ROUGE-L", "rougeL"
      "finding F1", "finding_f1" ]

let score (row: Row) (key: string) =
    match row.Scores.TryGetValue key with
    | true, v -> v
    | _ -> nan

let table =
    let sb = StringBuilder()
    let line (s: string) = sb.AppendLine s |> ignore
    line ("| model | " + (columns |> List.map fst |> String.concat " | ") + " |")
    line ("|---|" + (columns |> List.map (fun _ -> "---:") |> String.concat "|") + "|")
    let full = rows |> List.tryFind (fun r -> obj.ReferenceEquals(r.Spec, baseSpec))
    for r in rows do
        let cells =
            columns
            |> List.map (fun (_, key) ->
                let v = score r key
                match full with
                | Some f when not (obj.ReferenceEquals(r, f)) -> sprintf "%.3f (%+.3f)" v (v - score f key)
                | _ -> sprintf "%.3f" v)
        line ("| " + r.Name + " | " + String.concat " | " cells + " |")
    sb.ToString()

printfn ""
printfn "Table III on the synthetic test split (%d images; in brackets: the change against the full model)" summary.Test
printfn ""
printf "%s" table
printfn ""
printfn "total %.1f s" total.Elapsed.TotalSeconds

File.WriteAllText(Path.Combine(outDir, "ablations.md"), table)
let results =
    rows
    |> List.map (fun r ->
        r.Name, {| spec = r.Spec.Name; epochs = r.Epochs; seconds = r.Seconds; scores = dict [ for (_, key) in columns -> key, score r key ] |})
    |> dict
File.WriteAllText(Path.Combine(outDir, "ablations.json"), JsonSerializer.Serialize(results, JsonSerializerOptions(WriteIndented = true)))

// Every variant must produce a finite score for every column (a broken ablation fails the run, e.g. in CI).
let broken = [ for r in rows do for (name, key) in columns do if not (System.Double.IsFinite(score r key)) then yield $"{r.Name}: {name}" ]
if not broken.IsEmpty then failwithf "missing or non-finite scores: %s" (String.concat ", " broken)

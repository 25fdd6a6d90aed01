// Which experts fire for which tokens? Decodes a few synthetic test images with a trained checkpoint, runs the decoder
// over their reports (teacher forcing, as in training) with a TraceRecorder attached, and prints per MoE layer:
//   * token → top-k experts with their renormalised scores (first image),
//   * the load of each expert (share of the top-k assignments over all analysed tokens),
//   * three token-group × expert tables: the word's class (finding word, side, location, attribute, template,
//     punctuation), the finding type of its sentence (from FindingExtractor: ground glass, consolidation, nodule,
//     cavity, effusion, or a normal statement) and the side of its sentence's findings;
//   * how much each grouping tells about the chosen expert (normalised mutual information, 0 = none, 1 = the expert
//     is determined by the group) — the question "do experts specialise by finding type or side?".
//
//     dotnet build src/Micar.FSharp -c Release
//     dotnet fsi scripts/inspect-routing.fsx [--quick] [--checkpoint DIR] [--data DIR] [--images N] [--generated]
//
//   --checkpoint DIR  a checkpoint folder (model.safetensors, spec.json, vocab/) or a run folder (its best/ is used);
//                     default: the first of runs/ablations/tiny/best (scripts/ablations.fsx), runs/demo/model/best
//                     (micar demo) and runs/inspect-routing/tiny/best that exists, else that last one is trained first
//                     (1,000 images at 112 px, 6 frozen+cached epochs: a few minutes on 2 cores).
//   --data DIR        a dataset folder with test.csv (default: 200 synthetic images at the checkpoint's image size
//                     drawn with seed 11, so unseen by models trained on the default seed 7).
//   --images N        test images to analyse (default 24; --quick: 4).
//   --generated       analyse the decoder reading the model's own reports instead of the references.
//   --quick           CI smoke run: trains a tiny model for one frozen epoch on 40 images at 64 px first.
#load "Micar.fsx"

open System
open System.Collections.Generic
open System.IO
open Micar.Data

// ---------------------------------------------------------------------------------------------------------
// The model

let trainSmall (runDir: string) (n: int) (size: int) (epochs: int) (textLength: int option) =
    let dataDir = Path.Combine(Path.GetDirectoryName runDir, $"data-{n}-{size}")
    Train.synthesise dataDir n 7 size |> ignore
    let spec = Spec.preset "tiny" |> Spec.withImageSize size |> (match textLength with Some t -> Spec.withTextLength t | None -> id)
    printfn "training %s for %d frozen+cached epoch(s) on %d synthetic images at %d px → %s" spec.Name epochs n size runDir
    Train.options spec dataDir runDir
    |> Train.withOverwrite
    |> Train.withEpochs epochs
    |> Train.withPatience epochs
    |> Train.withValidationBeam 1
    |> Train.frozen
    |> Train.withLog (fun line -> eprintfn "  %s" line)
    |> Train.run
    |> Train.best

let checkpointDir =
    let isCheckpoint dir = File.Exists(Path.Combine(dir, Checkpoint.SpecFile)) && File.Exists(Path.Combine(dir, Checkpoint.WeightsFile))
    match argValue "--checkpoint" with
    | Some dir when isCheckpoint dir -> dir
    | Some dir when isCheckpoint (Train.bestIn dir) -> Train.bestIn dir
    | Some dir -> failwithf "--checkpoint %s: neither a checkpoint folder (spec.json, model.safetensors) nor a run folder with best/" dir
    | None when quick -> trainSmall (Path.Combine(repoRoot, "runs", "inspect-routing-quick", "tiny")) 40 64 1 (Some 40)
    | None ->
        let candidates =
            [ [ "runs"; "ablations"; "tiny"; "best" ]; [ "runs"; "demo"; "model"; "best" ]; [ "runs"; "inspect-routing"; "tiny"; "best" ] ]
            |> List.map (fun parts -> Path.Combine(Array.ofList (repoRoot :: parts)))
        match candidates |> List.tryFind isCheckpoint with
        | Some dir -> dir
        | None -> trainSmall (Path.Combine(repoRoot, "runs", "inspect-routing", "tiny")) 1000 112 6 None

let spec, net, vocab = Model.load checkpointDir
let tokenizer = Tokenizer(vocab)
printfn "checkpoint %s: %s, %d decoder layers, %d experts, top-%d, %A combine"
    checkpointDir spec.Name spec.DecoderLayers spec.Moe.Experts spec.Moe.TopK spec.Moe.Combine
if not spec.Moe.Enabled then failwithf "the checkpoint in %s has no mixture-of-experts layers (%s)" checkpointDir spec.Name

let dataDir =
    match argValue "--data" with
    | Some dir -> dir
    | None ->
        let dir = Path.Combine(repoRoot, "runs", (if quick then "inspect-routing-quick" else "inspect-routing"), $"unseen-200-{spec.Vision.ImageSize}")
        Train.synthesise dir 200 11 spec.Vision.ImageSize |> ignore
        dir

let test = Train.split dataDir "test"
let count = min test.Count (intArg "--images" (if quick then 4 else 24))
if count < 1 then failwithf "%s: the test split is empty" dataDir

// ---------------------------------------------------------------------------------------------------------
// Routing traces: one teacher-forced decoder pass per image

/// One analysed report: its input tokens and, per MoE layer (by trace path), the chosen experts and scores per token.
type Routed =
    { Report: string
      Tokens: string[]
      Experts: Map<string, int64[][]>
      Scores: Map<string, float32[][]>
      Load: Map<string, int64[]> }

let rows (cols: int) (values: 'T[]) = Array.chunkBySize cols values

let routed : Routed list * string list =
    use _ = Tensor.scope ()
    use _ = Tensor.noGrad ()
    let paths = test.ImagePaths |> Array.truncate count |> List.ofArray
    let images = Model.loadImages spec paths
    let generated = Model.caption tokenizer 1 net images
    let analysed =
        [ for i in 0 .. count - 1 do
            let report = if hasFlag "--generated" then generated.[i] else test.Reports.[i]
            let encoded = tokenizer.Encode(report, spec.TextSeqLen)
            let length = encoded.PadMask |> Array.sumBy int
            let ids = encoded.InputIds |> Array.truncate length
            let image = images |> Tensor.narrow 0 i 1
            let _, trace = Model.traced Model.eval (fun ctx -> Model.apply net ctx image (Tensor.ofInt64s [ 1; length ] ids))
            use trace = trace
            let k = spec.Moe.TopK
            yield
                { Report = report
                  Tokens = ids |> Array.map vocab.TokenOf
                  Experts = trace.Of "routing.experts" |> Seq.map (fun struct (p, v) -> p, Tensor.toInt64s v |> rows k) |> Map.ofSeq
                  Scores = trace.Of "routing.scores" |> Seq.map (fun struct (p, v) -> p, Tensor.toArray v |> rows k) |> Map.ofSeq
                  Load = trace.Of "routing.load" |> Seq.map (fun struct (p, v) -> p, Tensor.toInt64s v) |> Map.ofSeq } ]
    analysed, generated

let analysed, generated = routed
let layers = analysed.Head.Experts |> Map.keys |> List.ofSeq |> List.sortBy (fun p -> p.Split('.').[2] |> int)
let experts = spec.Moe.Experts
let layerName (path: string) = "L" + path.Split('.').[2]

printfn "analysed %d test images of %s, %s (%d tokens)" count dataDir
    (if hasFlag "--generated" then "the decoder reading its own reports" else "the decoder reading the reference reports")
    (analysed |> List.sumBy (fun r -> r.Tokens.Length))
printfn ""
printfn "first image   %s" test.ImagePaths.[0]
printfn "  generated   %s" generated.[0]
printfn "  reference   %s" test.Reports.[0]
printfn ""

// ---------------------------------------------------------------------------------------------------------
// Token → experts for the first image

let first = analysed.Head
printfn "Token → top-%d experts (renormalised scores), first image" spec.Moe.TopK
let cell (r: Routed) (layer: string) (t: int) =
    Array.zip r.Experts.[layer].[t] r.Scores.[layer].[t]
    |> Array.map (fun (e, s) -> sprintf "e%d %.2f" e s)
    |> String.concat "  "
let cellWidth = 10 * spec.Moe.TopK
printfn "  %-14s %s" "token" (layers |> List.map (fun l -> (layerName l).PadRight cellWidth) |> String.concat " │ ")
for t in 0 .. first.Tokens.Length - 1 do
    printfn "  %-14s %s" first.Tokens.[t] (layers |> List.map (fun l -> (cell first l t).PadRight cellWidth) |> String.concat " │ ")
printfn ""

// ---------------------------------------------------------------------------------------------------------
// Token groups

let wordClasses =
    [ "finding word", [ "ground"; "glass"; "highdensity"; "shadow"; "nodule"; "cavity"; "arcshaped"; "liquid"; "density"; "air"; "bronchial"; "sign" ]
      "side", [ "left"; "right"; "both" ]
      "location", [ "upper"; "middle"; "lower"; "lobe"; "lingual"; "segment"; "pleura"; "posterior" ]
      "attribute", [ "small"; "large"; "subpleural"; "hilar"; "blurred"; "clear"; "margin"; "with" ]
      "punctuation", [ "."; "," ]
      "special", [ SpecialTokens.Sos; SpecialTokens.Eos; SpecialTokens.Unk ] ]
let wordClassOf =
    let table = dict [ for (name, words) in wordClasses do for w in words -> w, name ]
    fun (word: string) -> match table.TryGetValue word with | true, c -> c | _ -> "template"

let typeName (t: FindingType) =
    match t with
    | FindingType.GroundGlass -> "ground glass"
    | FindingType.Consolidation -> "consolidation"
    | FindingType.Nodule -> "nodule"
    | FindingType.Effusion -> "effusion"
    | FindingType.Cavity -> "cavity"
    | other -> string other

/// The finding type and side of the sentence each token belongs to ("." closes a sentence; special tokens get "-").
let sentenceLabels (tokens: string[]) : (string * string)[] =
    let labels = Array.create tokens.Length ("-", "-")
    let mutable start = 0
    for i in 0 .. tokens.Length - 1 do
        let word = tokens.[i]
        let isSpecial = word.StartsWith "<"
        if not isSpecial && (word = "." || i = tokens.Length - 1 || tokens.[i + 1].StartsWith "<") then
            let sentence = tokens.[start..i] |> Array.filter (fun w -> not (w.StartsWith "<")) |> String.concat " "
            let findings = FindingExtractor.Extract(sentence) |> List.ofSeq
            let label =
                match findings |> List.map (fun f -> f.Type) |> List.distinct with
                | [] -> "normal statement"
                | [ t ] -> typeName t
                | _ -> "several findings"
            let side =
                match findings |> List.map (fun f -> string f.Side) |> List.distinct with
                | [] -> "no finding"
                | [ s ] -> s.ToLowerInvariant()
                | _ -> "mixed"
            for j in start .. i do
                if not (tokens.[j].StartsWith "<") then labels.[j] <- (label, side)
            start <- i + 1
        elif isSpecial then
            start <- i + 1
    labels

/// Per group: tokens, and how often each expert was among the token's top-k.
let countBy (group: Routed -> string[]) (layer: string) : (string * int * int64[]) list =
    let counts = Dictionary<string, int * int64[]>()
    for r in analysed do
        let groups = group r
        for t in 0 .. r.Tokens.Length - 1 do
            let g = groups.[t]
            if g <> "-" then
                let n, c = match counts.TryGetValue g with | true, v -> v | _ -> 0, Array.zeroCreate experts
                for e in r.Experts.[layer].[t] do c.[int e] <- c.[int e] + 1L
                counts.[g] <- (n + 1, c)
    [ for kv in counts -> kv.Key, fst kv.Value, snd kv.Value ] |> List.sortByDescending (fun (_, n, _) -> n)

/// Mutual information between group and chosen expert over the top-k assignments, divided by the expert entropy.
let normalisedMi (table: (string * int * int64[]) list) =
    let total = table |> List.sumBy (fun (_, _, c) -> Array.sum c) |> float
    if total = 0.0 then 0.0
    else
        let pe = Array.init experts (fun e -> (table |> List.sumBy (fun (_, _, c) -> c.[e]) |> float) / total)
        let he = pe |> Array.sumBy (fun p -> if p > 0.0 then -p * log p else 0.0)
        let mi =
            table
            |> List.sumBy (fun (_, _, c) ->
                let pg = float (Array.sum c) / total
                c |> Array.mapi (fun e v -> let p = float v / total in if p > 0.0 then p * log (p / (pg * pe.[e])) else 0.0) |> Array.sum)
        if he > 0.0 then mi / he else 0.0

let printTable (title: string) (table: (string * int * int64[]) list) =
    printfn "  %-18s %7s  %s" title "tokens" (String.concat "" [ for e in 0 .. experts - 1 -> sprintf "%7s" $"e{e}" ])
    for (g, n, c) in table do
        let assigned = float (Array.sum c)
        printfn "  %-18s %7d  %s" g n (String.concat "" [ for v in c -> sprintf "%7.2f" (float v / assigned) ])

let groupings : (string * (Routed -> string[])) list =
    [ "word class", (fun r -> r.Tokens |> Array.map wordClassOf)
      "finding type", (fun r -> sentenceLabels r.Tokens |> Array.map fst)
      "side", (fun r -> sentenceLabels r.Tokens |> Array.map snd) ]

let specialisation = Dictionary<string * string, float>()
for layer in layers do
    printfn "── %s (%s) ──" (layerName layer) layer
    let load = analysed |> List.map (fun r -> r.Load.[layer]) |> List.reduce (Array.map2 (+))
    let assigned = float (Array.sum load)
    printfn "  expert load       %s   (uniform: %.2f each)"
        (String.concat "" [ for e in 0 .. experts - 1 -> sprintf "  e%d %.2f" e (float load.[e] / assigned) ]) (1.0 / float experts)
    printfn "  (rows: the share of a group's top-%d assignments that went to each expert)" spec.Moe.TopK
    for (name, group) in groupings do
        let table = countBy group layer
        printTable name table
        specialisation.[(layer, name)] <- normalisedMi table
    printfn ""

printfn "Specialisation: normalised mutual information between the token group and the chosen expert"
printfn "  %-8s %s" "layer" (groupings |> List.map (fun (n, _) -> sprintf "%14s" n) |> String.concat "")
for layer in layers do
    printfn "  %-8s %s" (layerName layer) (groupings |> List.map (fun (n, _) -> sprintf "%14.3f" specialisation.[(layer, n)]) |> String.concat "")
let strongest = specialisation |> Seq.maxBy (fun kv -> kv.Value)
let layerOf, groupOf = strongest.Key
printfn "  strongest: %s in %s (%.3f). Values near 0 mean the router ignores that grouping; finding type and side"
    groupOf (layerName layerOf) strongest.Value
printfn "  explain routing only insofar as they exceed the word-class value (words differ between finding types)."

Model.dispose net

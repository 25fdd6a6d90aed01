// Decoding speed of a trained run: greedy and beam search, with and without the key/value cache, on test images.
//
//     dotnet fsi scripts/decode-speed.fsx RUN DATA [IMAGES] [REPEATS]
//     dotnet fsi scripts/decode-speed.fsx --quick          (CI smoke run: untrained tiny model, random images)
//
// RUN is a run folder (its best/ checkpoint is used), DATA the dataset folder (its test.csv), IMAGES how many test
// images (default 16), REPEATS timed repeats of each mode (default 3, best kept). Prints tokens per second
// (generated tokens, <eos> included) for each mode and the cache's speed-up.
#load "Micar.fsx"
open Micar.Model
open Micar.Nn
open Micar.Decoding
open Micar.Training

let args = fsi.CommandLineArgs |> Array.skip 1 |> Array.filter (fun a -> a <> "--quick")
if not MicarScript.quick && args.Length < 2 then
    failwith "usage: dotnet fsi scripts/decode-speed.fsx RUN DATA [IMAGES] [REPEATS]  (or --quick)"
let count = if args.Length > 2 then int args.[2] elif MicarScript.quick then 2 else 16
let repeats = if args.Length > 3 then int args.[3] elif MicarScript.quick then 1 else 3

let net, images =
    if MicarScript.quick then
        let spec = Micar.Spec.Presets.Get "tiny"
        let model = spec.Compile()
        CaptionNet(model, ParamInit.Create(model, new Micar.Torch.Generator(1UL))),
        Libtorch.Randn([| int64 count; 3L; int64 spec.Vision.ImageSize; int64 spec.Vision.ImageSize |], new Micar.Torch.Generator(2UL))
    else
        let ckpt = Checkpoint.Load(System.IO.Path.Combine(args.[0], Trainer.BestDir))
        let split = (SplitData.Load(args.[1], "test")).Take count
        ckpt.Net(), ImageBatcher.Load(split.ImagePaths, ImageBatcher.TransformFor ckpt.Spec.Vision.ImageSize, false)
let memory =
    use _ = Micar.Torch.Autograd.NoGrad()
    net.EncodeImage(images, ForwardContext.Eval)
let maxTokens = if MicarScript.quick then Some 8 else None

let time (options: DecodeOptions) =
    let mutable best = System.Double.MaxValue
    let mutable tokens = 0L
    let hypsOf () = ReportDecoder.GenerateFromMemory(net, memory, options)
    let reference = hypsOf () |> Seq.map (fun h -> h.Tokens) |> Seq.toList
    for _ in 1 .. repeats do
        let sw = System.Diagnostics.Stopwatch.StartNew()
        let hyps = hypsOf ()
        best <- min best sw.Elapsed.TotalSeconds
        tokens <- hyps |> Seq.sumBy (fun h -> int64 h.Tokens.Length + (if h.Finished then 1L else 0L))
    float tokens / best, tokens, reference

for width in [ 1; 3 ] do
    let options useCache = DecodeOptions(BeamWidth = width, MaxTokens = Option.toNullable maxTokens, UseCache = useCache)
    let cached, n, a = time (options true)
    let full, _, b = time (options false)
    if a <> b then failwithf "width %d: cached and recomputed decoding gave different tokens" width
    printfn "%s on %d images (%d tokens): cache %.0f tokens/s, full recomputation %.0f tokens/s (%.1fx)"
        (if width = 1 then "greedy" else sprintf "beam %d" width) count n cached full (cached / full)

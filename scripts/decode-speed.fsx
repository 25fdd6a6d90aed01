// Decoding speed of a trained run: greedy and beam search, with and without the key/value cache, on test images.
//
//     dotnet fsi scripts/decode-speed.fsx RUN DATA [IMAGES] [REPEATS]
//
// RUN is a run folder (its best/ checkpoint is used), DATA the dataset folder (its test.csv), IMAGES how many test
// images (default 16), REPEATS timed repeats of each mode (default 3, best kept). Prints tokens per second
// (generated tokens, <eos> included) for each mode and the cache's speed-up.
#load "Micar.fsx"
open Micar.Model
open Micar.Decoding
open Micar.Training

let args = fsi.CommandLineArgs |> Array.skip 1
if args.Length < 2 then failwith "usage: dotnet fsi scripts/decode-speed.fsx RUN DATA [IMAGES] [REPEATS]"
let run, data = args.[0], args.[1]
let count = if args.Length > 2 then int args.[2] else 16
let repeats = if args.Length > 3 then int args.[3] else 3
let ckpt = Checkpoint.Load(System.IO.Path.Combine(run, Trainer.BestDir))
let split = SplitData.Load(data, "test").Take count
let net = ckpt.Net()
let images = ImageBatcher.Load(split.ImagePaths, ImageBatcher.TransformFor ckpt.Spec.Vision.ImageSize, false)
let memory =
    use _ = Micar.Torch.Autograd.NoGrad()
    net.EncodeImage(images, ForwardContext.Eval)

let time (options: DecodeOptions) =
    let mutable best = System.Double.MaxValue
    let mutable tokens = 0L
    for _ in 1 .. repeats do
        let sw = System.Diagnostics.Stopwatch.StartNew()
        let hyps = ReportDecoder.GenerateFromMemory(net, memory, options)
        best <- min best sw.Elapsed.TotalSeconds
        tokens <- hyps |> Seq.sumBy (fun h -> int64 h.Tokens.Length + (if h.Finished then 1L else 0L))
    float tokens / best, tokens

for width in [ 1; 3 ] do
    let cached, n = time (DecodeOptions(BeamWidth = width, UseCache = true))
    let full, _ = time (DecodeOptions(BeamWidth = width, UseCache = false))
    printfn "%s on %d images (%d tokens): cache %.0f tokens/s, full recomputation %.0f tokens/s (%.1fx)"
        (if width = 1 then "greedy" else sprintf "beam %d" width) count n cached full (cached / full)

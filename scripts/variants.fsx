// Architecture variants as spec edits: the tiny preset with other expert counts and top-k, depths, activations
// and the paper's ablations; each is validated, described (parameters, forward GFLOPs per image) and compared
// with the base in one table. Then one small variant runs an eval forward pass on random input to show the shapes.
//
//     dotnet build src/Micar.FSharp -c Release
//     dotnet fsi scripts/variants.fsx [--quick]      (--quick: fewer variants and a 32-pixel forward pass, for CI)
#load "Micar.fsx"

open System.Diagnostics

let baseSpec = Spec.preset "tiny"

let variants : (string * ModelSpec) list =
    let experts = if quick then [ 2; 8 ] else [ 2; 4; 8 ]
    let depths = if quick then [ 1; 3 ] else [ 1; 2; 3 ]
    let activations = if quick then [ Activation.Gelu ] else [ Activation.Gelu; Activation.Selu; Activation.Telu ]
    [ yield "tiny (base)", baseSpec
      for e in experts do
          for k in [ 1; 2 ] do
              yield $"experts {e}, top-{k}", baseSpec |> Spec.withExperts e k
      for d in depths do
          yield $"depth {d} (enc + dec)", baseSpec |> Spec.withDepth d
      for a in activations do
          yield $"activation {a}", baseSpec |> Spec.withActivation a
      yield "w/o MoE", baseSpec |> Spec.withoutMoe
      yield "w/o MSVE", baseSpec |> Spec.withoutMsve
      yield "w/o latent encoder", baseSpec |> Spec.withoutLatentEncoder
      yield "8 heads of 24", baseSpec |> Spec.withAttention 8 12 12
      // Two edits that break a rule, to show validation naming the field.
      yield "experts 2, top-3", baseSpec |> Spec.withExperts 2 3
      yield "5 heads", baseSpec |> Spec.withHeads 5 ]

type Row =
    { Name: string
      Spec: ModelSpec
      Summary: Result<ModelSummary, ValidationError list> }

let rows = variants |> List.map (fun (name, spec) -> { Name = name; Spec = spec; Summary = Spec.describe spec })

let baseTotals =
    match Spec.describe baseSpec with
    | Ok s -> s.Totals
    | Error errors -> failwithf "the base preset is invalid: %A" errors

let ffn (s: ModelSpec) =
    if s.Moe.Enabled then $"{s.Moe.Experts} × top-{s.Moe.TopK}" else "dense"

let header =
    sprintf "%-22s %-10s %-7s %-6s %12s %8s %9s %7s" "variant" "ffn" "layers" "act" "params" "vs base" "GFLOPs" "vs base"

printfn "%s" header
printfn "%s" (String.replicate header.Length "-")
for r in rows do
    let s = r.Spec
    let layers = $"{(if s.LatentEncoder then s.EncoderLayers else 0)}+{s.DecoderLayers}"
    match r.Summary with
    | Ok summary ->
        let t = summary.Totals
        printfn "%-22s %-10s %-7s %-6s %12s %7.2fx %9.3f %6.2fx" r.Name (ffn s) layers (string s.Activation)
            (t.Parameters.ToString "N0") (float t.Parameters / float baseTotals.Parameters)
            (float t.Flops / 1e9) (float t.Flops / float baseTotals.Flops)
    | Error errors ->
        printfn "%-22s %-10s %-7s %-6s   invalid: %s" r.Name (ffn s) layers (string s.Activation)
            (errors |> List.map (fun e -> e.Path) |> String.concat ", ")

printfn ""
for r in rows do
    match r.Summary with
    | Error errors ->
        printfn "%s is rejected:" r.Name
        for e in errors do printfn "  %s: %s" e.Path e.Message
    | Ok _ -> ()

// One eval forward pass of a small variant on random input (CPU).
let small =
    baseSpec
    |> Spec.withName "tiny-small"
    |> Spec.withImageSize (if quick then 32 else 64)
    |> Spec.withTextLength 12
    |> Spec.withDepth 1

let batch = 2
printfn ""
printfn "Forward pass of %s: ResNet-%d at %d px, batch %d, T = %d" small.Name small.Vision.Depth small.Vision.ImageSize batch small.TextSeqLen

do
    use _ = Tensor.scope ()
    use _ = Tensor.noGrad ()
    let watch = Stopwatch.StartNew()
    let net = Model.init small 0UL
    let initTime = watch.Elapsed.TotalSeconds
    use generator = Tensor.generator 1UL
    let image = Model.randomImage small batch generator
    let ids = Model.randomIds small batch generator
    watch.Restart()
    let output, trace = Model.traced Model.eval (fun ctx -> Model.apply net ctx image ids)
    use trace = trace
    let forwardTime = watch.Elapsed.TotalSeconds
    let inferred =
        net.Description |> Layer.outputShape [ Layer.shape (Tensor.shape image); Layer.shape (Tensor.shape ids) ]
    printfn "  image          %A" (Tensor.shape image)
    printfn "  ids            %A" (Tensor.shape ids)
    printfn "  logits         %A (inferred from the description: %s)" (Tensor.shape output.Logits)
        (match inferred with Ok s -> string s | Error e -> e)
    printfn "  balance value  %.4f (perfect balance: -ln E = %.4f)" (Tensor.item output.BalanceLoss) (-(log (float small.Moe.Experts)))
    for path, value in trace.Of "attention" do
        printfn "  attention      %-48s %A" path (Tensor.shape value)
    for path, value in trace.Of "gate" do
        printfn "  fusion gate    %-48s %A" path (Tensor.shape value)
    for path, value in trace.Of "routing.load" do
        printfn "  tokens/expert  %-48s %A" path (Tensor.toInt64s value)
    printfn "  init %.2f s, forward %.2f s" initTime forwardTime
    Model.dispose net

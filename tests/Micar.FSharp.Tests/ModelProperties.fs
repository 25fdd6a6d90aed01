/// Properties of whole networks on random valid specs and inputs: shapes, attention, masking, causality,
/// initialisation, checkpoints and decoding.
module Micar.FSharp.Tests.ModelProperties

open System
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open Micar.Data
open Micar.Decoding
open Micar.Layers
open Micar.Model
open Micar.Nn
open Micar.Spec
open Micar.Torch
open Micar.FSharp
open Micar.FSharp.Tests.Generators
open Micar.FSharp.Tests.Support

let private case = Gen.zip3 validSpec seed (Gen.choose (1, 2))

let private shapeOf (t: Tensor) = Layer.shape (Tensor.shape t)

/// Runs <paramref name="layer"/> with the parameters under <paramref name="p"/> on <paramref name="inputs"/> through the
/// description's own Apply (a Sequential given extra inputs passes them to every item, as its trace does).
let rec private applyLayer (layer: ILayer) (p: ParamView) (inputs: Tensor list) : Tensor =
    let ctx = Model.eval
    match layer, inputs with
    | (:? CaptionModel as m), image :: ids :: _ -> (m.Apply(p, image, ids, null, ctx)).Logits
    | (:? Decoder as d), [ x; e; _ ] -> let struct (h, _) = d.Apply(p, x, e, null, ctx) in h
    | (:? DecoderBlock as d), [ x; e; mask ] -> let struct (h, _) = d.Apply(p, x, e, mask, ctx) in h
    | (:? Sequential as sq), x :: extras when not extras.IsEmpty ->
        sq.Items |> Seq.indexed |> Seq.fold (fun y (i, item) -> applyLayer item (p.At(string i)) (y :: extras)) x
    | (:? GatedFusion as f), [ x; e ] -> f.Apply(p, x, e, ctx)
    | (:? MdlaCrossAttention as a), [ x; e ] -> a.Apply(p, x, e, ctx)
    | (:? MdlaSelfAttention as a), [ x; mask ] -> a.Apply(p, x, mask, ctx)
    | (:? MoeRouter as r), [ x ] -> let struct (probs, _, _) = r.Route(p, x, ctx) in probs
    | (:? IModule as m), [ x ] -> m.Apply(p, x, ctx)
    | _ -> failwith $"{p.Prefix}: no forward run for {layer.Kind} with {inputs.Length} inputs"

/// Random inputs of a trace node's input shapes: token ids for embeddings and the model, causal masks where a mask goes.
let private inputsOf (g: Generator) (node: NodeTrace) : Tensor list =
    let floats (s: Shape) = Tensor.randnWith g [ for d in s -> int d ]
    let ids (s: Shape) (count: int) = Tensor.randintWith g 0L (int64 count) [ for d in s -> int d ]
    let causal (s: Shape) = Masks.Causal(s.[0], s.[1])
    match node.Layer, List.ofSeq node.Inputs with
    | (:? CaptionModel as m), image :: text :: _ -> [ floats image; ids text m.VocabSize ]
    | (:? TextEmbedding as e), [ text ] -> [ ids text e.VocabSize ]
    | (:? Embedding as e), [ text ] -> [ ids text e.Count ]
    | _, [ x; e; mask ] -> [ floats x; floats e; causal mask ]
    | (:? MdlaSelfAttention), [ x; mask ] -> [ floats x; causal mask ]
    | _, shapes -> shapes |> List.map floats

[<Property(MaxTest = 6)>]
let ``every traced block, run on inputs of its traced shapes, gives the traced output shape`` () =
    Prop.forAll (Arb.fromGen case) (fun (spec, s, batch) ->
        withNet spec s (fun net ->
            use _ = Tensor.scope ()
            use _ = Tensor.noGrad ()
            use g = Tensor.generator (s + 11UL)
            let image, ids = randomInputs spec batch s
            let tracer = ShapeTracer()
            tracer.Run(net.Description, [| shapeOf image; shapeOf ids |]) |> ignore
            let nodes = tracer.Nodes |> Seq.filter (fun n -> n.Calls > 0) |> List.ofSeq
            ensure (nodes.Length >= 20) $"only {nodes.Length} blocks traced"
            // Every block of the description is traced (containers such as the expert list are traced per item).
            let walked = net.Description.Walk() |> Seq.filter (fun n -> not (n.Layer :? LayerList)) |> Seq.map (fun n -> n.Path) |> set
            let traced = nodes |> List.map (fun n -> n.Path) |> set
            ensure (Set.isEmpty (walked - traced)) $"never traced: %A{Set.toList (walked - traced)}"
            for node in nodes do
                let computed = Tensor.shape (applyLayer node.Layer (net.Params.View node.Path) (inputsOf g node))
                ensure (Layer.shape computed = node.Output) $"{node.Path} ({node.Kind}): computed {computed}, traced {node.Output}"))

[<Property(MaxTest = 10)>]
let ``the description accepts exactly the input sizes the network accepts, with the same output shape`` () =
    let sizes =
        case
        |> Gen.bind (fun (spec, s, b) ->
            Gen.zip3 (Gen.choose (5, 80)) (Gen.choose (5, 80)) (Gen.choose (1, spec.TextSeqLen + 3))
            |> Gen.map (fun (h, w, t) -> spec, s, b, h, w, t))
    Prop.forAll (Arb.fromGen sizes) (fun (spec, s, batch, height, width, length) ->
        withNet spec s (fun net ->
            use _ = Tensor.scope ()
            use _ = Tensor.noGrad ()
            use g = Tensor.generator s
            let image = Tensor.randnWith g [ batch; 3; height; width ]
            let ids = Tensor.randintWith g 0L (int64 (vocabSize spec)) [ batch; length ]
            let described = net.Description |> Layer.outputShape [ shapeOf image; shapeOf ids ]
            let computed =
                try
                    Ok(shapeOf (Model.apply net Model.eval image ids).Logits)
                with e ->
                    Error e.Message
            match described, computed with
            | Ok d, Ok c -> ensure (d = c) $"image {height}×{width}, T {length}: described {d}, computed {c}"
            | Error d, Error _ -> ensure (length > spec.TextSeqLen) $"image {height}×{width}, T {length} rejected by both: {d}"
            | Ok d, Error c -> failwith $"image {height}×{width}, T {length}: described {d} but the network failed: {c}"
            | Error d, Ok c -> failwith $"image {height}×{width}, T {length}: the network gave {c} but the description rejects: {d}"))

[<Property(MaxTest = 10)>]
let ``attention probabilities are non-negative and every row sums to 1`` () =
    Prop.forAll (Arb.fromGen case) (fun (spec, s, batch) ->
        withNet spec s (fun net ->
            use _ = Tensor.scope ()
            use _ = Tensor.noGrad ()
            let image, ids = randomInputs spec batch s
            let _, trace = Model.traced Model.eval (fun ctx -> Model.apply net ctx image ids)
            use trace = trace
            let maps = List.ofSeq (trace.Of "attention")
            let expected = spec.DecoderLayers * 2 + (if spec.LatentEncoder then spec.EncoderLayers else 0)
            ensure (maps.Length = expected) $"{maps.Length} attention maps recorded, expected {expected}"
            for path, a in maps do
                ensure (a.Min().Item() >= 0.0) $"{path}: negative probability"
                let sums = a.Sum(-1L)
                ensureClose 1e-5 $"{path} row sums" (Tensor.ones (Tensor.shape sums)) sums))

/// A pad mask [b, T] with 1 for the first L_i positions of row i (L_i ≥ 1) and 0 after.
let private padMask (batch: int) (t: int) (lengths: int list) =
    Tensor.ofInt64s [ batch; t ] [| for l in lengths do for j in 0 .. t - 1 -> if j < l then 1L else 0L |]

[<Property(MaxTest = 5)>]
let ``masked positions get no attention: future keys and padding`` () =
    let withLengths =
        case |> Gen.bind (fun (spec, s, b) -> Gen.listOfLength b (Gen.choose (1, spec.TextSeqLen)) |> Gen.map (fun ls -> spec, s, b, ls))
    Prop.forAll (Arb.fromGen withLengths) (fun (spec, s, batch, lengths) ->
        withNet spec s (fun net ->
            use _ = Tensor.scope ()
            use _ = Tensor.noGrad ()
            let image, ids = randomInputs spec batch s
            let t = spec.TextSeqLen
            let _, trace = Model.traced Model.eval (fun ctx -> Model.applyMasked net ctx image ids (padMask batch t lengths))
            use trace = trace
            for path, a in trace.Of "attention" do
                if path.StartsWith "decoder" && path.EndsWith "self_attention" then
                    let p = Tensor.toArray a
                    let heads = spec.Heads
                    for i in 0 .. batch - 1 do
                        for h in 0 .. heads - 1 do
                            for q in 0 .. t - 1 do
                                for k in 0 .. t - 1 do
                                    if k > q || k >= lengths.[i] then
                                        let v = p.[((i * heads + h) * t + q) * t + k]
                                        ensure (v < 1e-9f) $"{path}: row {i} head {h} query {q} attends key {k} with {v}"))

[<Property(MaxTest = 10)>]
let ``decoder outputs up to position t do not depend on tokens after t`` () =
    let withCut = case |> Gen.bind (fun (spec, s, b) -> Gen.choose (0, spec.TextSeqLen - 1) |> Gen.map (fun c -> spec, s, b, c))
    Prop.forAll (Arb.fromGen withCut) (fun (spec, s, batch, cut) ->
        withNet spec s (fun net ->
            use _ = Tensor.scope ()
            use _ = Tensor.noGrad ()
            let image, ids = randomInputs spec batch s
            use g = Tensor.generator (s + 3UL)
            let t = spec.TextSeqLen
            let changed = Tensor.randintWith g 0L (int64 (vocabSize spec)) [ batch; t ]
            let keep = (Tensor.arange (int64 t)).Le(float cut).Unsqueeze(0L)
            let ids2 = Micar.Torch.Libtorch.Where(keep, ids, changed)
            let memory = Model.encode net Model.eval image
            let a = (Model.decode net Model.eval memory ids).Logits.Narrow(1L, 0L, int64 (cut + 1))
            let b = (Model.decode net Model.eval memory ids2).Logits.Narrow(1L, 0L, int64 (cut + 1))
            ensureClose 1e-5 $"logits up to {cut}" a b))

[<Property(MaxTest = 6)>]
let ``padding after the sequence leaves the unpadded outputs as for the sequence alone`` () =
    let withLength = case |> Gen.bind (fun (spec, s, b) -> Gen.choose (1, spec.TextSeqLen) |> Gen.map (fun l -> spec, s, b, l))
    Prop.forAll (Arb.fromGen withLength) (fun (spec, s, batch, length) ->
        withNet spec s (fun net ->
            use _ = Tensor.scope ()
            use _ = Tensor.noGrad ()
            let image, ids = randomInputs spec batch s
            let t = spec.TextSeqLen
            let padded = Model.applyMasked net Model.eval image ids (padMask batch t (List.replicate batch length))
            let alone = Model.apply net Model.eval image (ids.Narrow(1L, 0L, int64 length))
            ensureClose 1e-4 $"first {length} of {t} positions" alone.Logits (padded.Logits.Narrow(1L, 0L, int64 length))))

[<Property(MaxTest = 4)>]
let ``init is a function of the seed and apply of its inputs`` () =
    Prop.forAll (Arb.fromGen case) (fun (spec, s, batch) ->
        use _ = Tensor.scope ()
        use _ = Tensor.noGrad ()
        let image, ids = randomInputs spec batch s
        withNet spec s (fun a ->
            withNet spec s (fun b ->
                withNet spec (s + 1UL) (fun c ->
                    for key in a.Params.Keys do
                        ensure (a.Params.[key].Equal b.Params.[key]) $"{key} differs for the same seed"
                    let differs =
                        a.Params.Trainable() |> Seq.exists (fun struct (key, value) -> not (value.Equal c.Params.[key]))
                    ensure differs "another seed gave the same parameters"
                    let la = (Model.apply a Model.eval image ids).Logits
                    ensureClose 0.0 "logits of equal networks" la (Model.apply b Model.eval image ids).Logits
                    ensureClose 0.0 "logits of a repeated call" la (Model.apply a Model.eval image ids).Logits))))

[<Property(MaxTest = 4)>]
let ``a training-mode forward pass is reproducible from its dropout seed`` () =
    Prop.forAll (Arb.fromGen case) (fun (spec, s, batch) ->
        let spec = spec |> Spec.withDropout 0.3 |> Spec.withAttentionDropout 0.2
        withNet spec s (fun net ->
            use _ = Tensor.scope ()
            use _ = Tensor.noGrad ()
            let image, ids = randomInputs spec batch s
            let run seed =
                use g = Tensor.generator seed
                (Model.apply net (Model.train g) image ids).Logits
            let first = run 11UL
            ensureClose 0.0 "same dropout seed" first (run 11UL)
            ensure (Tensor.maxAbsDiff first (run 12UL) > 0.0) "another dropout seed gave the same logits"))

[<Property(MaxTest = 4)>]
let ``a saved checkpoint loads back the same spec, tensors, vocabulary and outputs`` () =
    Prop.forAll (Arb.fromGen case) (fun (spec, s, batch) ->
        use _ = Tensor.scope ()
        use _ = Tensor.noGrad ()
        let vocabulary = Vocabulary.FromRegularTokens [ for i in 4 .. vocabSize spec - 1 -> $"w{i}" ]
        withTempDir (fun dir ->
            withNet spec s (fun net ->
                Model.save dir spec vocabulary net
                let spec2, net2, vocabulary2 = Model.load dir
                try
                    ensure (spec2 = spec) "spec differs"
                    ensure (List.ofSeq vocabulary2.Tokens = List.ofSeq vocabulary.Tokens) "vocabulary differs"
                    ensure (List.ofSeq net2.Params.Keys = List.ofSeq net.Params.Keys) "keys differ"
                    for key in net.Params.Keys do
                        ensure (net.Params.[key].Equal net2.Params.[key]) $"{key} differs"
                        ensure (net.Params.IsTrainable key = net2.Params.IsTrainable key) $"{key}: trainable flag differs"
                    let image, ids = randomInputs spec batch s
                    ensureClose 0.0 "logits" (Model.apply net Model.eval image ids).Logits (Model.apply net2 Model.eval image ids).Logits
                finally
                    Model.dispose net2)))

[<Property(MaxTest = 6)>]
let ``beam search of width 1 is greedy decoding`` () =
    Prop.forAll (Arb.fromGen case) (fun (spec, s, batch) ->
        withNet spec s (fun net ->
            use _ = Tensor.scope ()
            use _ = Tensor.noGrad ()
            let image, _ = randomInputs spec batch s
            let memory = Model.encode net Model.eval image
            let greedy = ReportDecoder.GenerateFromMemory(net, memory, DecodeOptions(BeamWidth = 1))
            let beam = ReportDecoder.BeamSearch(net, memory, DecodeOptions(BeamWidth = 1))
            let viaSurface = Model.generate 1 net image
            let vocabulary = Vocabulary.FromRegularTokens [ for i in 4 .. vocabSize spec - 1 -> $"w{i}" ]
            let texts = Model.caption (Tokenizer vocabulary) 1 net image
            for i in 0 .. batch - 1 do
                ensure (greedy.[i].Tokens = beam.[i].Tokens) $"image {i}: greedy %A{greedy.[i].Tokens} vs beam %A{beam.[i].Tokens}"
                ensure (abs (greedy.[i].Score - beam.[i].Score) < 1e-4) $"image {i}: scores {greedy.[i].Score} vs {beam.[i].Score}"
                ensure (viaSurface.[i].Tokens = greedy.[i].Tokens) $"image {i}: Model.generate differs"
                ensure (texts.[i] = String.Join(" ", greedy.[i].Tokens |> Array.filter (fun t -> t > 2L) |> Array.map (fun t -> vocabulary.TokenOf t))) $"image {i}: caption '{texts.[i]}'"
                ensure (greedy.[i].Tokens.Length <= spec.TextSeqLen - 1) "too long"
                ensure (greedy.[i].Tokens |> Array.forall (fun t -> t <> int64 SpecialTokens.EosId && t >= 0L && t < int64 (vocabSize spec))) "bad token"))

[<Property(MaxTest = 8)>]
let ``decoding with the key/value cache gives the tokens of full recomputation`` () =
    Prop.forAll (Arb.fromGen (Gen.zip case (Gen.choose (1, 3)))) (fun ((spec, s, batch), width) ->
        withNet spec s (fun net ->
            use _ = Tensor.scope ()
            use _ = Tensor.noGrad ()
            let image, _ = randomInputs spec batch s
            let cached = Model.generateWith (DecodeOptions(BeamWidth = width, UseCache = true)) net image
            let full = Model.generateWith (DecodeOptions(BeamWidth = width, UseCache = false)) net image
            for i in 0 .. batch - 1 do
                ensure (cached.[i].Tokens = full.[i].Tokens) $"image {i}, width {width}: cached %A{cached.[i].Tokens} vs full %A{full.[i].Tokens}"
                ensure (abs (cached.[i].Score - full.[i].Score) < 1e-3) $"image {i}: scores {cached.[i].Score} vs {full.[i].Score}"))

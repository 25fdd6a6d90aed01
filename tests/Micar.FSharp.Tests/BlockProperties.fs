/// Properties of the forward kernels: RMSNorm, RoPE, MoE routing and dispatch, gated fusion, masks.
module Micar.FSharp.Tests.BlockProperties

open System
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open Micar.Layers
open Micar.Model
open Micar.Nn
open Micar.Torch
open Micar.FSharp
open Micar.FSharp.Tests.Generators
open Micar.FSharp.Tests.Support

/// The router's routing of tokens [n, d] with the gate weight [E, d].
let private route (gate: Tensor) (x: Tensor) (topK: int) =
    use store = new ParamStore()
    store.Set("gate.weight", gate.Clone(), false)
    MoeRouter(int (gate.Size 1), int (gate.Size 0), topK).Route(ParamView(store, ""), x, ForwardContext.Eval)

/// Rows of unit root-mean-square (so that eps = 1e-6 is negligible at every scale tested).
let private unitRows (g: Generator) (rows: int) (width: int) =
    let x = Tensor.randnWith g [ rows; width ]
    x / x.Pow(2.0).Mean(-1L, keepDim = true).Sqrt()

[<Property(MaxTest = 100)>]
let ``RMSNorm is invariant to positive scaling of its input and linear in its weight`` () =
    let case = gen {
        let! rows = Gen.choose (1, 6)
        let! width = Gen.choose (1, 64)
        let! exponent = unitDouble
        let! s = seed
        return rows, width, 10.0 ** (-1.0 + 3.0 * exponent), s }
    Prop.forAll (Arb.fromGen case) (fun (rows, width, scale, s) ->
        use _ = Tensor.scope ()
        use g = Tensor.generator s
        let x = unitRows g rows width
        let w = Tensor.randnWith g [ width ]
        let y = RmsNorm.Normalize(x, w)
        ensureClose 5e-4 $"scale {scale}" y (RmsNorm.Normalize(x * scale, w))
        let unit = RmsNorm.Normalize(x, Tensor.ones [ width ])
        ensureClose 1e-5 "weight" y (unit * w)
        ensureClose 1e-4 "unit RMS" (Tensor.ones [ rows; 1 ]) (unit.Pow(2.0).Mean(-1L, keepDim = true).Sqrt()))

let private ropeCase = gen {
    let! heads = Gen.choose (1, 3)
    let! length = Gen.choose (1, 8)
    let! pairs = Gen.choose (1, 8)
    let! frequencies = Gen.choose (0, pairs)
    let! offset = Gen.choose (0, 40)
    let! shift = Gen.choose (0, 40)
    let! s = seed
    return heads, length, 2 * pairs, frequencies, offset, shift, s }

[<Property(MaxTest = 100)>]
let ``RoPE scores depend only on the relative position of query and key`` () =
    Prop.forAll (Arb.fromGen ropeCase) (fun (heads, length, width, frequencies, offset, shift, s) ->
        use _ = Tensor.scope ()
        use g = Tensor.generator s
        let freqs = Rope.Frequencies(2 * frequencies)
        let q = Tensor.randnWith g [ 1; heads; length; width ]
        let k = Tensor.randnWith g [ 1; heads; length; width ]
        let scores at =
            (Rope.Rotate(q, freqs, int64 at)).Matmul(Rope.Rotate(k, freqs, int64 at).Transpose(-2L, -1L))
        ensureClose (1e-3 * float width) $"offset {offset} vs {offset + shift}" (scores offset) (scores (offset + shift)))

[<Property(MaxTest = 100)>]
let ``RoPE rotates: norms are kept, position 0 is the identity, rotations compose`` () =
    Prop.forAll (Arb.fromGen ropeCase) (fun (heads, length, width, frequencies, offset, shift, s) ->
        use _ = Tensor.scope ()
        use g = Tensor.generator s
        let freqs = Rope.Frequencies(2 * frequencies)
        let x = Tensor.randnWith g [ heads; length; width ]
        let y = Rope.Rotate(x, freqs, int64 offset)
        let norms (t: Tensor) = t.Pow(2.0).Sum(-1L).Sqrt()
        ensureClose 1e-4 "norms" (norms x) (norms y)
        ensureClose 0.0 "position 0" (x.Narrow(1L, 0L, 1L)) (Rope.Rotate(x.Narrow(1L, 0L, 1L), freqs, 0L))
        let first = x.Narrow(1L, 0L, 1L)
        let twice = Rope.Rotate(Rope.Rotate(first, freqs, int64 offset), freqs, int64 shift)
        ensureClose 1e-4 "composition" (Rope.Rotate(first, freqs, int64 (offset + shift))) twice)

let private moeStore (c: MoeCase) (dispatch: MoeDispatch) =
    let description = Moe(c.Width, c.Hidden, c.Experts, c.TopK, c.Activation, 0.0, c.Combine, dispatch, 0.01)
    Model.initLayer description c.Seed

let private runMoe (store: ParamStore) (c: MoeCase) (combine: MoeCombine) (dispatch: MoeDispatch) (x: Tensor) =
    Moe(c.Width, c.Hidden, c.Experts, c.TopK, c.Activation, 0.0, combine, dispatch, 0.01).ApplyWithBalance(ParamView(store, ""), x, ForwardContext.Eval)

let private tokens (c: MoeCase) =
    use g = Tensor.generator (c.Seed + 1UL)
    Tensor.randnWith g [ 2; c.Tokens; c.Width ]

[<Property(MaxTest = 100)>]
let ``MoE routing picks k distinct top experts per token with renormalised weights summing to 1`` () =
    Prop.forAll (Arb.fromGen moeCase) (fun c ->
        use _ = Tensor.scope ()
        use g = Tensor.generator c.Seed
        let gate = Tensor.randnWith g [ c.Experts; c.Width ]
        let x = Tensor.randnWith g [ c.Tokens; c.Width ]
        let struct (probs, scores, experts) = route gate x c.TopK
        ensure (Tensor.shape experts = [ c.Tokens; c.TopK ] && Tensor.shape scores = [ c.Tokens; c.TopK ]) "shapes"
        let p = Tensor.toArray probs
        let s = Tensor.toArray scores
        let ids = Tensor.toInt64s experts
        for t in 0 .. c.Tokens - 1 do
            let row = ids.[t * c.TopK .. (t + 1) * c.TopK - 1] |> Array.map int
            ensure (Array.distinct row = row) $"token {t}: experts %A{row} repeat"
            ensure (row |> Array.forall (fun e -> e >= 0 && e < c.Experts)) $"token {t}: expert out of range"
            let pr = p.[t * c.Experts .. (t + 1) * c.Experts - 1]
            ensure (abs (Array.sum pr - 1.0f) < 1e-5f) $"token {t}: probabilities sum to {Array.sum pr}"
            let chosen = row |> Array.map (fun e -> pr.[e])
            let others = [| for e in 0 .. c.Experts - 1 do if not (Array.contains e row) then pr.[e] |]
            ensure (others |> Array.forall (fun o -> o <= Array.min chosen)) $"token {t}: %A{row} are not the top {c.TopK}"
            let sr = s.[t * c.TopK .. (t + 1) * c.TopK - 1]
            ensure (abs (Array.sum sr - 1.0f) < 1e-5f) $"token {t}: weights sum to {Array.sum sr}"
            for j in 0 .. c.TopK - 1 do
                ensure (abs (sr.[j] - chosen.[j] / Array.sum chosen) < 1e-5f) $"token {t}: weight {j} is not p / Σp")

[<Property(MaxTest = 100)>]
let ``the balance value lies in [-ln E, 0] and is -ln E for uniform routing`` () =
    let case = Gen.zip3 moeCase (Gen.elements [ 0.0; 0.3; 3.0; 30.0 ]) seed
    Prop.forAll (Arb.fromGen case) (fun (c, sharpness, s) ->
        use _ = Tensor.scope ()
        use g = Tensor.generator s
        let probs = (Tensor.randnWith g [ c.Tokens; c.Experts ] * sharpness).Softmax(-1L)
        let value = Moe.BalanceLoss(probs) |> Tensor.item
        let bound = -(log (float c.Experts))
        ensure (value >= bound - 1e-5 && value <= 1e-6) $"balance {value} outside [{bound}, 0]"
        let struct (uniform, _, _) = route (Tensor.zeros [ c.Experts; c.Width ]) (Tensor.randnWith g [ c.Tokens; c.Width ]) c.TopK
        let atUniform = Moe.BalanceLoss(uniform) |> Tensor.item
        ensure (abs (atUniform - bound) < 1e-5) $"uniform routing gives {atUniform}, not {bound}")

[<Property(MaxTest = 60)>]
let ``sparse dispatch equals dense dispatch, and for top-1 the weighted combine equals the sum`` () =
    Prop.forAll (Arb.fromGen moeCase) (fun c ->
        use _ = Tensor.scope ()
        use store = moeStore c MoeDispatch.Dense
        let x = tokens c
        let dense = runMoe store c c.Combine MoeDispatch.Dense x
        let sparse = runMoe store c c.Combine MoeDispatch.Sparse x
        ensureClose 1e-5 "sparse vs dense" dense.Output sparse.Output
        ensureClose 0.0 "balance" dense.BalanceLoss sparse.BalanceLoss
        if c.TopK = 1 then
            let other = if c.Combine = MoeCombine.Sum then MoeCombine.Weighted else MoeCombine.Sum
            ensureClose 1e-6 "top-1 combine" dense.Output (runMoe store c other MoeDispatch.Sparse x).Output)

[<Property(MaxTest = 60)>]
let ``permuting the experts together with the router rows changes nothing`` () =
    let case = moeCase |> Gen.bind (fun c -> Gen.shuffle [| 0 .. c.Experts - 1 |] |> Gen.map (fun p -> c, p))
    Prop.forAll (Arb.fromGen (Gen.zip case (Gen.elements [ MoeDispatch.Dense; MoeDispatch.Sparse ]))) (fun ((c, perm), dispatch) ->
        use _ = Tensor.scope ()
        use store = moeStore c dispatch
        use permuted = new ParamStore()
        let inverse = Array.zeroCreate perm.Length
        perm |> Array.iteri (fun e target -> inverse.[target] <- e)
        for e in 0 .. c.Experts - 1 do
            for w in [ "w1"; "w2"; "w3" ] do
                permuted.Set($"experts.{perm.[e]}.{w}.weight", store.[$"experts.{e}.{w}.weight"].Clone(), true)
        let gate = store.["gate.gate.weight"].IndexSelect(0L, Tensor.ofInt64s [ c.Experts ] (Array.map int64 inverse))
        permuted.Set("gate.gate.weight", gate, true)
        let x = tokens c
        let original = runMoe store c c.Combine dispatch x
        let shuffled = runMoe permuted c c.Combine dispatch x
        ensureClose 1e-5 $"permutation %A{perm}" original.Output shuffled.Output
        ensureClose 1e-6 "balance" original.BalanceLoss shuffled.BalanceLoss)

[<Property(MaxTest = 40)>]
let ``fusion gates lie in (0, 1) and the gated mix lies between its two inputs`` () =
    let case = Gen.zip3 validSpec seed (Gen.choose (1, 6))
    Prop.forAll (Arb.fromGen case) (fun (spec, s, n) ->
        use _ = Tensor.scope ()
        use _ = Tensor.noGrad ()
        let d = spec.DModel
        let attention = MdlaCrossAttention(d, spec.Heads, spec.DLatent, spec.QkNopeDim, spec.QkRopeDim)
        let description = GatedFusion(d, spec.Activation, 0.0, attention)
        use store = Model.initLayer description s
        use g = Tensor.generator (s + 7UL)
        let x = Tensor.randnWith g [ 2; spec.TextSeqLen; d ]
        let e = Tensor.randnWith g [ 2; n; d ]
        let p = ParamView(store, "")
        let output, trace =
            Model.traced Model.eval (fun ctx ->
                description.Apply(p, x, e, ctx))
        use trace = trace
        ensure (Layer.outputShape [ Layer.shape (Tensor.shape x); Layer.shape (Tensor.shape e) ] description = Ok(Layer.shape (Tensor.shape output))) "output shape"
        let struct (_, gamma) = trace.Of("gate", "") |> Seq.exactlyOne
        ensure (Tensor.shape gamma = Tensor.shape x) $"gate shape {Tensor.shape gamma}"
        let values = Tensor.toArray gamma
        ensure (values |> Array.forall (fun v -> v > 0.0f && v < 1.0f)) $"gate outside (0, 1): {Array.min values}..{Array.max values}"
        let nx = RmsNorm.Normalize(x, p.["norm1.weight"])
        let ne = RmsNorm.Normalize(e, p.["norm2.weight"])
        let a = attention.Apply(p.At "cross_attention", nx, ne, ForwardContext.Eval) + x
        let na = RmsNorm.Normalize(a, p.["norm3.weight"])
        let mix = gamma * na + (1.0 - gamma) * nx
        let low, high = na.Minimum(nx), na.Maximum(nx)
        ensure ((mix - low).Min().Item() >= -1e-5 && (high - mix).Min().Item() >= -1e-5) "mix outside its inputs")

[<Property(MaxTest = 100)>]
let ``the causal mask lets query i see key j iff j ≤ i and j is not padding`` () =
    let case = gen {
        let! b = Gen.choose (1, 3)
        let! t = Gen.choose (1, 10)
        let! pad = Gen.listOfLength (b * t) (Gen.elements [ 0L; 1L; 1L; 5L ])
        return b, t, Array.ofList pad }
    Prop.forAll (Arb.fromGen case) (fun (b, t, pad) ->
        use _ = Tensor.scope ()
        let mask = Masks.Causal(int64 b, int64 t, Tensor.ofInt64s [ b; t ] pad) |> Tensor.toInt64s
        for i in 0 .. b - 1 do
            for q in 0 .. t - 1 do
                for k in 0 .. t - 1 do
                    let expected = if k <= q && pad.[i * t + k] <> 0L then 1L else 0L
                    ensure (mask.[(i * t + q) * t + k] = expected) $"batch {i}, query {q}, key {k}")

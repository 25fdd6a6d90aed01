/// Properties of MedMoE's conditioned router and contrastive loss.
module Micar.FSharp.Tests.MedMoeProperties

open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open Micar.Layers
open Micar.Nn
open Micar.Torch
open Micar.Training
open Micar.FSharp
open Micar.FSharp.Tests.Generators
open Micar.FSharp.Tests.Support

type private RouterCase = { Width: int; Experts: int; TopK: int; Modalities: int; ModalityDim: int; Images: int; Tokens: int; Seed: uint64 }

let private routerCase (conditioned: bool) = gen {
    let! width = Gen.choose (1, 24)
    let! experts = Gen.choose (1, 8)
    let! topK = Gen.choose (1, experts)
    let! modalities = if conditioned then Gen.choose (1, 5) else Gen.choose (0, 5)
    let! modalityDim = Gen.choose (1, 12)
    let! images = Gen.choose (1, 4)
    let! tokens = Gen.choose (1, 9)
    let! s = seed
    return { Width = width; Experts = experts; TopK = topK; Modalities = modalities; ModalityDim = modalityDim
             Images = images; Tokens = tokens; Seed = s } }

let private router (c: RouterCase) = ConditionedRouter(c.Width, c.Experts, c.TopK, c.Modalities, c.ModalityDim)

[<Property(MaxTest = 100)>]
let ``conditioned router: probabilities and kept weights sum to 1 per token, for any modality distribution`` () =
    Prop.forAll (Arb.fromGen (routerCase false)) (fun c ->
        use _ = Tensor.scope ()
        let r = router c
        use store = Model.initLayer r c.Seed
        use g = Tensor.generator (c.Seed + 1UL)
        let x = Tensor.randnWith g [ c.Images; c.Tokens; c.Width ] * 3.0
        let q = if c.Modalities = 0 then null else (Tensor.randnWith g [ c.Images; c.Modalities ] * 2.0).Softmax(-1L)
        let struct (probs, scores, experts) = r.Route(ParamView(store, ""), x, q, ForwardContext.Eval)
        ensure (Tensor.shape probs = [ c.Images; c.Tokens; c.Experts ]) $"probs {Tensor.shape probs}"
        ensure (Tensor.shape scores = [ c.Images; c.Tokens; c.TopK ]) $"scores {Tensor.shape scores}"
        let ones = Tensor.ones [ c.Images; c.Tokens ]
        ensureClose 1e-5 "probabilities" ones (probs.Sum(-1L))
        ensureClose 1e-5 "kept weights" ones (scores.Sum(-1L))
        let dense = ConditionedRouter.DenseWeights(probs, scores, experts)
        ensureClose 1e-5 "dense weights" ones (dense.Sum(-1L))
        ensure ((dense.Ne(0.0).Sum(-1L) |> Tensor.toInt64s) |> Array.forall (fun n -> n <= int64 c.TopK)) "more than k experts weighted")

[<Property(MaxTest = 100)>]
let ``a saturated conditioned router sends every token of a one-hot modality to that modality's top-k experts`` () =
    Prop.forAll (Arb.fromGen (routerCase true)) (fun c ->
        use _ = Tensor.scope ()
        let r = router c
        use store = Model.initLayer r c.Seed
        let p = ParamView(store, "")
        let prior = Tensor.toArray (r.ModalityPrior p)                      // [M, E]
        // the gap between the k-th and the (k+1)-th preferred expert of each modality sets how strong saturation must be
        let gap =
            [ for m in 0 .. c.Modalities - 1 ->
                let row = prior.[m * c.Experts .. (m + 1) * c.Experts - 1] |> Array.sortDescending
                if c.TopK < c.Experts then float (row.[c.TopK - 1] - row.[c.TopK]) else infinity ]
            |> List.min
        let saturable = gap > 1e-3
        if saturable then
            use g = Tensor.generator (c.Seed + 2UL)
            let x = Tensor.randnWith g [ c.Images; c.Tokens; c.Width ]
            let tokenRange = (r.Gate.Apply(p.At("gate"), x, ForwardContext.Eval)).Abs().Max() |> Tensor.item
            let factor = 10.0 * (2.0 * tokenRange + 1.0) / gap
            use _ = Tensor.noGrad ()
            store.["modality_gate.weight"].Mul_(factor) |> ignore
            let labels = Tensor.randintWith g 0L (int64 c.Modalities) [ c.Images ]
            let q = F.OneHot(labels, int64 c.Modalities).Float()
            let struct (_, _, experts) = r.Route(p, x, q, ForwardContext.Eval)
            let chosen = Tensor.toInt64s experts
            let ls = Tensor.toInt64s labels
            for i in 0 .. c.Images - 1 do
                let m = int ls.[i]
                let row = prior.[m * c.Experts .. (m + 1) * c.Experts - 1]
                let preferred = [| 0 .. c.Experts - 1 |] |> Array.sortByDescending (fun e -> row.[e]) |> Array.take c.TopK |> Array.sort
                for t in 0 .. c.Tokens - 1 do
                    let start = (i * c.Tokens + t) * c.TopK
                    let got = chosen.[start .. start + c.TopK - 1] |> Array.map int |> Array.sort
                    ensure (got = preferred) $"image {i} (modality {m}) token {t}: experts %A{got}, the modality prefers %A{preferred}"
        // checked eagerly (the store is released when this function returns); near-ties in the prior are discarded
        saturable ==> true)

let private contrastiveCase = gen {
    let! n = Gen.choose (1, 8)
    let! width = Gen.choose (1, 16)
    let! temperature = Gen.elements [ 0.01; 0.07; 0.5; 2.0 ]
    let! s = seed
    return n, width, temperature, s }

let private unitRows (t: Tensor) = MedMoeModel.Normalize t

[<Property(MaxTest = 100)>]
let ``InfoNCE is symmetric in images and reports`` () =
    Prop.forAll (Arb.fromGen contrastiveCase) (fun (n, width, temperature, s) ->
        use _ = Tensor.scope ()
        use g = Tensor.generator s
        let a = unitRows (Tensor.randnWith g [ n; width ])
        let b = unitRows (Tensor.randnWith g [ n; width ])
        let scale = Tensor.full [] (1.0 / temperature)
        ensureClose 1e-5 "swapped embeddings" (MedMoeLoss.InfoNce(a, b, scale)) (MedMoeLoss.InfoNce(b, a, scale))
        let logits = Tensor.randnWith g [ n; n ] * (1.0 / temperature)
        ensureClose 1e-5 "transposed logits" (MedMoeLoss.InfoNce(logits)) (MedMoeLoss.InfoNce(logits.Transpose(0L, 1L))))

[<Property(MaxTest = 100)>]
let ``InfoNCE is minimal for matched pairs: no re-pairing of the reports scores lower`` () =
    Prop.forAll (Arb.fromGen contrastiveCase) (fun (n, width, temperature, s) ->
        use _ = Tensor.scope ()
        use g = Tensor.generator s
        let a = unitRows (Tensor.randnWith g [ n; width ])
        let scale = Tensor.full [] (1.0 / temperature)
        let matched = MedMoeLoss.InfoNce(a, a, scale) |> Tensor.item
        let permutation = Libtorch.Randperm(int64 n, g)
        let shuffled = MedMoeLoss.InfoNce(a, a.IndexSelect(0L, permutation), scale) |> Tensor.item
        ensure (matched <= shuffled + 1e-5) $"matched {matched} > re-paired {shuffled} (permutation %A{Tensor.toInt64s permutation})")

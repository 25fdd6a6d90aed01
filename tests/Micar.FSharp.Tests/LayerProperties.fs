/// Properties of layer descriptions: composition, naming, shapes, FLOPs, and the parameters they allocate.
module Micar.FSharp.Tests.LayerProperties

open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open Micar.Layers
open Micar.Torch
open global.Xunit
open Micar.FSharp
open Micar.FSharp.Tests.Generators
open Micar.FSharp.Tests.Support

/// A chain of width-changing and width-preserving layers: the input width and the layers.
let private chain : Gen<int * ILayer list> =
    gen {
        let! input = Gen.choose (1, 16)
        let! n = Gen.choose (1, 6)
        let rec build width k =
            gen {
                if k = 0 then
                    return []
                else
                    let! choice = Gen.choose (0, 3)
                    let! out = Gen.choose (1, 16)
                    let! bias = Gen.elements [ true; false ]
                    let! act = Gen.elements activations
                    let layer, next =
                        match choice with
                        | 0 | 1 -> (Linear(width, out, bias) :> ILayer), out
                        | 2 -> (RmsNorm(width) :> ILayer), width
                        | _ -> (Act(act) :> ILayer), width
                    let! rest = build next (k - 1)
                    return layer :: rest
            }
        let! layers = build input n
        return input, layers
    }

let private widthAfter (input: int) (layers: ILayer list) =
    layers |> List.fold (fun w (l: ILayer) -> match l with :? Linear as lin -> lin.OutFeatures | _ -> w) input

[<Property(MaxTest = 100)>]
let ``--> builds a flat sequential whose keys, counts, shapes and FLOPs add up`` () =
    Prop.forAll (Arb.fromGen (Gen.zip chain (Gen.choose (1, 4)))) (fun ((input, layers), batch) ->
        let chained = layers |> List.fold (fun (acc: Sequential) layer -> acc --> layer) (Layer.sequential [])
        let direct = Layer.sequential layers
        ensure (chained = direct) "chaining differs from Layer.sequential"
        ensure (List.ofSeq direct.Items = layers) "items are not the layers in order"
        let expectedKeys =
            layers |> List.mapi (fun i l -> Layer.parametersUnder (string i) l) |> List.concat |> List.map (fun p -> p.Name)
        ensure (Layer.parameters direct |> List.map (fun p -> p.Name) = expectedKeys) "keys differ"
        ensure (Layer.count direct = List.sumBy Layer.count layers) "count is not the sum of the items' counts"
        let x = Layer.shape [ batch; input ]
        let out = Layer.outputShape [ x ] direct
        ensure (out = Ok(Layer.shape [ batch; widthAfter input layers ])) $"output {out}"
        let itemFlops, _ =
            layers
            |> List.fold
                (fun (total, shape) l ->
                    let f = Layer.flops [ shape ] l |> Result.defaultWith failwith
                    let s = Layer.outputShape [ shape ] l |> Result.defaultWith failwith
                    total + f, s)
                (0L, x)
        ensure (Layer.flops [ x ] direct = Ok itemFlops) "FLOPs are not the sum of the items' FLOPs")

[<Property(MaxTest = 100)>]
let ``--> is associative`` () =
    let three = Gen.zip3 chain chain chain
    Prop.forAll (Arb.fromGen three) (fun ((_, a), (_, b), (_, c)) ->
        let a, b, c = Layer.sequential a :> ILayer, Layer.sequential b :> ILayer, Layer.sequential c :> ILayer
        ensure ((a --> b) --> c = (a --> (b --> c))) "(a --> b) --> c differs from a --> (b --> c)")

[<Property(MaxTest = 100)>]
let ``residual is transparent, scope prefixes, preNorm names its two children`` () =
    let case =
        gen {
            let! input, layers = chain
            let! name = Gen.elements [ "ff"; "block.0"; "decoder.layers.3" ]
            let! batch = Gen.choose (1, 3)
            return input, layers, name, batch
        }
    Prop.forAll (Arb.fromGen case) (fun (input, layers, name, batch) ->
        let inner = Layer.sequential layers
        let keys (l: ILayer) = Layer.parameters l |> List.map (fun p -> p.Name)
        ensure (keys (Layer.residual inner) = keys inner) "residual changed the keys"
        ensure (keys (Layer.scope name inner) = (keys inner |> List.map (fun k -> name + "." + k))) "scope did not prefix"
        let pre = Layer.preNorm (Layer.rmsNorm input) inner
        ensure (keys pre = "norm.weight" :: (keys inner |> List.map (fun k -> "fn." + k))) "preNorm keys"
        ensure (Layer.count pre = int64 input + Layer.count inner) "preNorm count"
        let x = Layer.shape [ batch; 5; input ]
        let preserving = widthAfter input layers = input
        match Layer.outputShape [ x ] (Layer.residual inner) with
        | Ok s -> ensure (preserving && s = x) $"residual accepted a branch {input} → {widthAfter input layers}"
        | Error message -> ensure (not preserving && message.Contains "does not match") $"residual rejected: {message}")

[<Property(MaxTest = 5)>]
let ``ParamInit allocates exactly the tensors the description lists and counts`` () =
    Prop.forAll (Arb.fromGen (Gen.zip validSpec seed)) (fun (spec, s) ->
        let model = Spec.compile spec |> Spec.orRaise
        use store = Model.initLayer model s
        let infos = Layer.parameters model
        ensure (List.ofSeq store.Keys = (infos |> List.map (fun p -> p.Name))) "keys differ"
        for p in infos do
            ensure (store.[p.Name].Shape = p.Shape.ToArray()) $"{p.Name}: allocated {Tensor.shape store.[p.Name]}, described {p.Shape}"
            ensure (store.[p.Name].DType = p.DType) $"{p.Name}: dtype"
            ensure (store.IsTrainable p.Name = p.IsTrainable) $"{p.Name}: trainable flag"
        let allocated = store.Entries() |> Seq.sumBy (fun struct (_, t) -> t.Numel)
        ensure (allocated = (infos |> List.sumBy (fun p -> p.Numel))) "element totals differ"
        let parameters =
            infos |> List.filter (fun p -> p.Kind <> ParamKind.Buffer) |> List.sumBy (fun p -> store.[p.Name].Numel)
        ensure (parameters = Layer.count model) $"allocated parameters {parameters} ≠ Layer.count {Layer.count model}"
        let trainable = store.Trainable() |> Seq.sumBy (fun struct (_, t) -> t.Numel)
        ensure (trainable = Layer.trainableCount model) "trainable count differs")

[<Property(MaxTest = 60)>]
let ``composed layers run: a chain is its layers in turn, residual adds the input, preNorm normalises first`` () =
    let case = gen {
        let! input, layers = chain
        let! name = Gen.elements [ "ff"; "block.0" ]
        let! s = seed
        return input, layers, name, s }
    Prop.forAll (Arb.fromGen case) (fun (input, layers, name, s) ->
        use _ = Tensor.scope ()
        use _ = Tensor.noGrad ()
        let composed = layers |> List.fold (fun (acc: Sequential) layer -> acc --> layer) (Layer.sequential [])
        let block = Layer.scope name (Layer.preNorm (Layer.rmsNorm input) composed)
        use store = Layer.init s block
        use g = Tensor.generator (s + 1UL)
        let x = Tensor.randnWith g [ 2; 3; input ]
        // By hand: each layer with its own parameters, in turn, after the norm.
        let p = store.View(name)
        let normed = RmsNorm.Normalize(x, p.["norm.weight"])
        let byHand =
            layers |> List.indexed |> List.fold (fun (h: Tensor) (i, layer) ->
                let q = p.At($"fn.{i}")
                match layer with
                | :? Linear as l -> Micar.Torch.F.Linear(h, q.["weight"], (if l.Bias then q.["bias"] else null))
                | :? RmsNorm -> RmsNorm.Normalize(h, q.["weight"])
                | :? Act as a -> Activations.Of(a.Function).Invoke h
                | other -> failwith $"unexpected {other.Kind}") normed
        let y = block |> Layer.apply store Model.eval x
        ensureClose 0.0 "preNorm --> chain" byHand y
        ensure (Layer.outputShape [ Layer.shape (Tensor.shape x) ] block = Ok(Layer.shape (Tensor.shape y))) "traced shape"
        if widthAfter input layers = input then
            let r = Layer.residual block |> Layer.apply store Model.eval x
            ensureClose 0.0 "residual" (x + byHand) r)

[<Fact>]
let ``a layer without a single-input forward is refused by name when run`` () =
    use _ = Tensor.scope ()
    let cross = MdlaCrossAttention(8, 2, 8, 2, 2)
    let block = Layer.linear 8 8 --> cross
    use store = Layer.init 0UL block
    let e = Assert.Throws<System.NotSupportedException>(fun () -> block |> Layer.apply store Model.eval (Tensor.zeros [ 1; 2; 8 ]) |> ignore)
    ensure (e.Message.Contains "Sequential item 1" && e.Message.Contains "MdlaCrossAttention") e.Message

namespace Micar.FSharp

open System
open Micar.Layers
open Micar.Nn
open Micar.Torch

/// <summary>
/// Layer descriptions from F#: composition (<c>--></c> builds a <see cref="T:Micar.Layers.Sequential"/>,
/// <c>residual</c>, <c>preNorm</c>, <c>scope</c>) and the tree-wide queries (parameters, counts, shapes, FLOPs,
/// validation). Shape and FLOP inference return <c>Result</c>; the error names the layer path that rejected its input.
/// <code>
/// let block = Layer.preNorm (RmsNorm 64) (Layer.linear 64 256 --> Act Activation.Silu --> Layer.linear 256 64) |> Layer.residual
/// block |> Layer.outputShape [ Layer.shape [ 2; 10; 64 ] ]   // Ok [2, 10, 64]
/// use ps = Layer.init 0UL block                                // parameters and buffers, as PyTorch would initialise them
/// let y = block |> Layer.apply ps Model.eval x                 // runs: [2, 10, 64] → [2, 10, 64]
/// </code>
/// </summary>
[<RequireQualifiedAccess>]
module Layer =

    /// A shape from its dimension sizes, outermost first.
    let shape (dims: int list) : Shape = Shape(ReadOnlySpan<int64>(dims |> List.map int64 |> List.toArray))

    /// The layers applied first to last (children named <c>0</c>, <c>1</c>, …).
    let sequential (layers: ILayer list) : Sequential = Sequential(layers)

    let private items (layer: ILayer) : ILayer list =
        match layer with
        | :? Sequential as s -> List.ofSeq s.Items
        | other -> [ other ]

    /// <c>first</c> then <c>second</c> as one <see cref="T:Micar.Layers.Sequential"/>; sequentials on either side are
    /// spliced in, so <c>a --> b --> c</c> has the children <c>0</c>, <c>1</c>, <c>2</c>.
    let chain (first: ILayer) (second: ILayer) : Sequential = Sequential(items first @ items second)

    /// <c>y = x + inner(x)</c>; transparent for names.
    let residual (inner: ILayer) : Residual = Residual(inner)

    /// <c>y = inner(norm(x))</c> with the children named <c>norm</c> and <c>fn</c>.
    let preNorm (norm: ILayer) (inner: ILayer) : PreNorm = PreNorm(norm, inner)

    /// <c>y = inner(norm(x))</c> with the given key segments (e.g. <c>"norm_sa"</c>, <c>"self_attention"</c>).
    let preNormNamed (normName: string) (innerName: string) (norm: ILayer) (inner: ILayer) : PreNorm =
        PreNorm(norm, inner, normName, innerName)

    /// The layer with its keys prefixed by <paramref name="name"/> (which may contain dots).
    let scope (name: string) (inner: ILayer) : Scope = Scope(name, inner)

    /// A linear map with bias, <c>[…, inFeatures] → […, outFeatures]</c>.
    let linear (inFeatures: int) (outFeatures: int) : Linear = Linear(inFeatures, outFeatures)

    /// A linear map without bias.
    let linearNoBias (inFeatures: int) (outFeatures: int) : Linear = Linear(inFeatures, outFeatures, false)

    /// RMSNorm over the last axis of width <paramref name="dim"/>.
    let rmsNorm (dim: int) : RmsNorm = RmsNorm(dim)

    /// An elementwise activation.
    let act (activation: Activation) : Act = Act(activation)

    /// Every tensor of the tree (parameters and buffers) with its full state-dict key, in state-dict order.
    let parameters (layer: ILayer) : ParamInfo list = List.ofSeq (layer.Parameters())

    /// Like <see cref="M:Micar.FSharp.Layer.parameters"/>, the keys prefixed with <paramref name="prefix"/>.
    let parametersUnder (prefix: string) (layer: ILayer) : ParamInfo list = List.ofSeq (layer.Parameters prefix)

    /// Number of parameter elements (trainable and frozen, no buffers), as PyTorch counts them.
    let count (layer: ILayer) : int64 = layer.ParameterCount()

    /// Number of trainable parameter elements.
    let trainableCount (layer: ILayer) : int64 = layer.TrainableCount()

    /// Every layer of the tree in pre-order with its path and depth.
    let walk (layer: ILayer) : LayerNode list = List.ofSeq (layer.Walk())

    let private tracing (run: unit -> 'T) : Result<'T, string> =
        try
            Ok(run ())
        with
        | :? ShapeException as e -> Error e.Message
        | :? ArgumentException as e -> Error e.Message

    /// The output shape for the given input shapes, or why the inputs do not fit (naming the layer path).
    let outputShape (inputs: Shape list) (layer: ILayer) : Result<Shape, string> =
        tracing (fun () -> layer.OutputShape(List.toArray inputs))

    /// Forward FLOPs for the given input shapes (2 × multiply-adds of Linear/Conv plus attention matmuls).
    let flops (inputs: Shape list) (layer: ILayer) : Result<int64, string> =
        tracing (fun () -> layer.Flops(List.toArray inputs))

    /// The per-block table (path, kind, output shape, parameters, FLOPs) for the given inputs.
    let summary (inputs: Shape list) (layer: ILayer) : Result<ModelSummary, string> =
        tracing (fun () -> ModelSummary.Of(layer, List.toArray inputs))

    /// Fresh parameters and buffers for <paramref name="layer"/> (its own keys, no prefix), initialised as PyTorch would
    /// from <paramref name="seed"/>.
    let init (seed: uint64) (layer: ILayer) : ParamStore =
        use generator = new Generator(seed)
        Micar.Model.ParamInit.Create(layer, generator)

    /// Runs <paramref name="layer"/> on <paramref name="x"/> with the parameters of <paramref name="store"/> (keys as
    /// <see cref="M:Micar.FSharp.Layer.init"/> makes them) under <paramref name="ctx"/>. Every single-input layer runs,
    /// composites included (<c>--></c>, <c>residual</c>, <c>preNorm</c>, <c>scope</c>); a layer without a single-input
    /// forward (e.g. a cross-attention) raises <c>NotSupportedException</c> naming it.
    let apply (store: ParamStore) (ctx: ForwardContext) (x: Tensor) (layer: ILayer) : Tensor =
        layer.Apply(store.View "", x, ctx)

    /// Like <see cref="M:Micar.FSharp.Layer.apply"/>, with the parameters under a view (e.g. one block of a network:
    /// <c>net.Params.View "decoder.layers.0.moe"</c>).
    let applyAt (p: ParamView) (ctx: ForwardContext) (x: Tensor) (layer: ILayer) : Tensor = layer.Apply(p, x, ctx)

    /// <c>Ok layer</c>, or every problem of the tree, each located by its path.
    let validate (layer: 'L when 'L :> ILayer) : Result<'L, ValidationError list> =
        match List.ofSeq (layer.Validate()) with
        | [] -> Ok layer
        | errors -> Error errors

/// The composition operator of layer descriptions (opened with <c>Micar.FSharp</c>).
[<AutoOpen>]
module LayerOperators =
    /// <c>a --> b</c>: <c>a</c> then <c>b</c> as one flat <see cref="T:Micar.Layers.Sequential"/> (see <see cref="M:Micar.FSharp.Layer.chain"/>).
    let (-->) (first: ILayer) (second: ILayer) : Sequential = Layer.chain first second

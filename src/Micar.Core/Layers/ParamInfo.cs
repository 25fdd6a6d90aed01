using Micar.Torch;

namespace Micar.Layers;

/// <summary>
/// One named tensor a description needs: its state-dict key (or, for a layer's own tensors, its local name),
/// shape, element type, kind and initializer. No data.
/// </summary>
/// <param name="Name">Full state-dict key, e.g. <c>decoder.layers.0.moe.gate.gate.weight</c>.</param>
/// <param name="Shape">Tensor shape (<c>[]</c> for a scalar).</param>
/// <param name="DType">Element type (float32 everywhere except <c>num_batches_tracked</c>, int64).</param>
/// <param name="Kind">Parameter, frozen parameter or buffer.</param>
/// <param name="Init">How the initial value is made.</param>
public sealed record ParamInfo(string Name, Shape Shape, DType DType, ParamKind Kind, Initializer Init)
{
    /// <summary>Number of elements.</summary>
    public long Numel => Shape.Numel;

    /// <summary>True for a parameter that receives gradients.</summary>
    public bool IsTrainable => Kind == ParamKind.Param;

    /// <summary>A trainable float32 parameter.</summary>
    public static ParamInfo Param(string name, Shape shape, Initializer init) =>
        new(name, shape, DType.Float32, ParamKind.Param, init);

    /// <summary>A float32 buffer.</summary>
    public static ParamInfo Buffer(string name, Shape shape, Initializer init) =>
        new(name, shape, DType.Float32, ParamKind.Buffer, init);

    /// <summary>The row of the reference TSVs: <c>key \t [shape] \t dtype \t kind</c>.</summary>
    public string ToTsvRow() => $"{Name}\t{Shape}\t{DType.TorchName()}\t{Kind.ToTsv()}";
}

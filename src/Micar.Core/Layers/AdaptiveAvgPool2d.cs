using Micar.Torch;
using Micar.Nn;
namespace Micar.Layers;

/// <summary>
/// Adaptive average pooling to a fixed grid: <c>[b, C, H, W] → [b, C, Height, Width]</c>, with PyTorch's bins
/// <c>[⌊i·H/Height⌋, ⌈(i+1)·H/Height⌉)</c>. No tensors.
/// </summary>
/// <param name="Height">Output rows.</param>
/// <param name="Width">Output columns.</param>
public sealed record AdaptiveAvgPool2d(int Height, int Width) : IModule
{
    /// <inheritdoc/>
    public string Kind => "AdaptiveAvgPool2d";

    /// <inheritdoc/>
    public IReadOnlyList<ParamInfo> Tensors => [];

    /// <inheritdoc/>
    public IReadOnlyList<NamedLayer> Children => [];

    /// <inheritdoc/>
    public IEnumerable<string> CheckFields()
    {
        if (Height <= 0) yield return $"AdaptiveAvgPool2d.Height {Height} must be positive";
        if (Width <= 0) yield return $"AdaptiveAvgPool2d.Width {Width} must be positive";
    }

    /// <inheritdoc/>
    public Shape Trace(ShapeTracer tracer, IReadOnlyList<Shape> inputs)
    {
        tracer.ExpectInputs(inputs, 1);
        var x = inputs[0];
        tracer.ExpectRank(x, 4, "input");
        if (x[2] == 0 || x[3] == 0) throw tracer.Error($"input {x} has an empty spatial axis");
        return new Shape(x[0], x[1], Height, Width);
    }

    /// <summary>Adaptive average pooling to Height×Width.</summary>
    public Tensor Apply(ParamView p, Tensor x, ForwardContext ctx) => F.AdaptiveAvgPool2d(x, Height, Width);
}

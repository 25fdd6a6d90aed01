using Micar.Torch;
using Micar.Nn;
namespace Micar.Layers;

/// <summary>Max pooling with a square window: <c>[b, C, H, W] → [b, C, ⌊(H + 2p − k)/s⌋ + 1, …]</c>. No tensors.</summary>
/// <param name="KernelSize">Window side k.</param>
/// <param name="Stride">Stride s.</param>
/// <param name="Padding">Padding p (implicit −∞).</param>
public sealed record MaxPool2d(int KernelSize, int Stride, int Padding = 0) : IModule
{
    /// <inheritdoc/>
    public string Kind => "MaxPool2d";

    /// <inheritdoc/>
    public IReadOnlyList<ParamInfo> Tensors => [];

    /// <inheritdoc/>
    public IReadOnlyList<NamedLayer> Children => [];

    /// <inheritdoc/>
    public IEnumerable<string> CheckFields()
    {
        if (KernelSize <= 0) yield return $"MaxPool2d.KernelSize {KernelSize} must be positive";
        if (Stride <= 0) yield return $"MaxPool2d.Stride {Stride} must be positive";
        if (Padding < 0 || 2 * Padding > KernelSize)
            yield return $"MaxPool2d.Padding {Padding} must lie in [0, KernelSize/2]";
    }

    /// <inheritdoc/>
    public Shape Trace(ShapeTracer tracer, IReadOnlyList<Shape> inputs)
    {
        tracer.ExpectInputs(inputs, 1);
        var x = inputs[0];
        tracer.ExpectRank(x, 4, "input");
        if (x[2] + 2L * Padding < KernelSize || x[3] + 2L * Padding < KernelSize)
            throw tracer.Error($"input {x} is smaller than the {KernelSize}×{KernelSize} window");
        return new Shape(x[0], x[1], (x[2] + 2L * Padding - KernelSize) / Stride + 1, (x[3] + 2L * Padding - KernelSize) / Stride + 1);
    }

    /// <summary>Max pooling with this layer's window, stride and padding.</summary>
    public Tensor Apply(ParamView p, Tensor x, ForwardContext ctx) => F.MaxPool2d(x, KernelSize, Stride, Padding);
}

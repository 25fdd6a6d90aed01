using Micar.Torch;
using Micar.Nn;
namespace Micar.Layers;

/// <summary>
/// 2-D convolution with a square kernel: <c>[b, InChannels, H, W] → [b, OutChannels, H', W']</c>,
/// <c>H' = ⌊(H + 2·Padding − KernelSize)/Stride⌋ + 1</c>. Tensors <c>weight [Out, In, k, k]</c> and, with
/// <paramref name="Bias"/>, <c>bias [Out]</c> (U(±1/√(In·k·k))).
/// </summary>
/// <param name="InChannels">Input channels.</param>
/// <param name="OutChannels">Output channels.</param>
/// <param name="KernelSize">Kernel side k.</param>
/// <param name="Stride">Stride (both axes).</param>
/// <param name="Padding">Zero padding (both axes).</param>
/// <param name="Bias">Whether there is a bias.</param>
/// <param name="Init">Weight initializer.</param>
public sealed record Conv2d(
    int InChannels, int OutChannels, int KernelSize, int Stride = 1, int Padding = 0, bool Bias = false,
    ConvInit Init = ConvInit.TorchDefault) : IModule
{
    /// <inheritdoc/>
    public string Kind => "Conv2d";

    private long FanIn => (long)InChannels * KernelSize * KernelSize;

    /// <inheritdoc/>
    public IReadOnlyList<ParamInfo> Tensors
    {
        get
        {
            Initializer init = Init switch
            {
                ConvInit.KaimingNormalFanOut => new Initializer.KaimingNormalFanOut((long)OutChannels * KernelSize * KernelSize),
                _ => new Initializer.UniformFanIn(FanIn),
            };
            var weight = ParamInfo.Param("weight", new Shape(OutChannels, InChannels, KernelSize, KernelSize), init);
            return Bias
                ? [weight, ParamInfo.Param("bias", new Shape(OutChannels), new Initializer.UniformFanIn(FanIn))]
                : [weight];
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<NamedLayer> Children => [];

    /// <inheritdoc/>
    public IEnumerable<string> CheckFields()
    {
        if (InChannels <= 0) yield return $"Conv2d.InChannels {InChannels} must be positive";
        if (OutChannels <= 0) yield return $"Conv2d.OutChannels {OutChannels} must be positive";
        if (KernelSize <= 0) yield return $"Conv2d.KernelSize {KernelSize} must be positive";
        if (Stride <= 0) yield return $"Conv2d.Stride {Stride} must be positive";
        if (Padding < 0) yield return $"Conv2d.Padding {Padding} must not be negative";
    }

    /// <summary>Output side for an input side.</summary>
    public long OutputSize(long input) => (input + 2L * Padding - KernelSize) / Stride + 1;

    /// <inheritdoc/>
    public Shape Trace(ShapeTracer tracer, IReadOnlyList<Shape> inputs)
    {
        tracer.ExpectInputs(inputs, 1);
        var x = inputs[0];
        tracer.ExpectRank(x, 4, "input");
        tracer.ExpectDim(x, 1, InChannels, "input");
        if (x[2] + 2L * Padding < KernelSize || x[3] + 2L * Padding < KernelSize)
            throw tracer.Error($"input {x} is smaller than the {KernelSize}×{KernelSize} kernel");
        var h = OutputSize(x[2]);
        var w = OutputSize(x[3]);
        tracer.AddFlops(2L * x[0] * OutChannels * h * w * FanIn);
        return new Shape(x[0], OutChannels, h, w);
    }

    /// <summary>The convolution with <c>weight</c> (and <c>bias</c>), this layer's stride and padding.</summary>
    public Tensor Apply(ParamView p, Tensor x, ForwardContext ctx) =>
        F.Conv2d(x, p["weight"], Bias ? p["bias"] : null, stride: Stride, padding: Padding);
}

using Micar.Torch;
using Micar.Nn;
namespace Micar.Layers;

/// <summary>
/// torchvision's ResNet basic block (ResNet-18/34): <c>relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))</c>,
/// conv1 3×3 with the stride, conv2 3×3; the shortcut is <c>downsample</c> = [1×1 conv with the stride, BN] when the
/// stride is not 1 or the width changes, else identity. All convs bias-free with Kaiming-normal (fan_out) init.
/// </summary>
/// <param name="InChannels">Input channels.</param>
/// <param name="Planes">Output channels (expansion 1).</param>
/// <param name="Stride">Stride of conv1 and of the shortcut.</param>
public sealed record BasicBlock(int InChannels, int Planes, int Stride) : IModule
{
    /// <summary>Output channels per plane.</summary>
    public const int Expansion = 1;

    /// <inheritdoc/>
    public string Kind => "BasicBlock";

    /// <summary>True when the shortcut needs a projection.</summary>
    public bool HasDownsample => Stride != 1 || InChannels != Planes * Expansion;

    /// <inheritdoc/>
    public IReadOnlyList<ParamInfo> Tensors => [];

    private static Conv2d Conv(int i, int o, int k, int s, int p) => new(i, o, k, s, p, Bias: false, ConvInit.KaimingNormalFanOut);

    /// <inheritdoc/>
    public IReadOnlyList<NamedLayer> Children
    {
        get
        {
            List<NamedLayer> c =
            [
                new("conv1", Conv(InChannels, Planes, 3, Stride, 1)), new("bn1", new BatchNorm2d(Planes)),
                new("conv2", Conv(Planes, Planes, 3, 1, 1)), new("bn2", new BatchNorm2d(Planes)),
            ];
            if (HasDownsample)
                c.Add(new("downsample", new Sequential(Conv(InChannels, Planes * Expansion, 1, Stride, 0), new BatchNorm2d(Planes * Expansion))));
            return c;
        }
    }

    /// <inheritdoc/>
    public IEnumerable<string> CheckFields()
    {
        if (InChannels <= 0) yield return $"BasicBlock.InChannels {InChannels} must be positive";
        if (Planes <= 0) yield return $"BasicBlock.Planes {Planes} must be positive";
        if (Stride <= 0) yield return $"BasicBlock.Stride {Stride} must be positive";
    }

    /// <inheritdoc/>
    public Shape Trace(ShapeTracer tracer, IReadOnlyList<Shape> inputs) => ResidualTrace.Run(tracer, this, inputs);

    /// <summary>torchvision's basic block: <c>relu(bn2(conv2(relu(bn1(conv1 x)))) + shortcut x)</c>.</summary>
    public Tensor Apply(ParamView p, Tensor x, ForwardContext ctx)
    {
        var h = ResidualBlock.ConvBn(this, 1, p, x, ctx).Relu_();   // in place on a batch-norm output, as torchvision
        h = ResidualBlock.ConvBn(this, 2, p, h, ctx);
        return ResidualBlock.AddShortcut(this, p, h, x, ctx);
    }
}

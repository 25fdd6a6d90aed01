using Micar.Torch;
using Micar.Nn;
namespace Micar.Layers;

/// <summary>
/// torchvision's ResNet bottleneck block (ResNet-50/101/152, v1.5: stride on the 3×3 conv):
/// <c>relu(bn3(conv3(relu(bn2(conv2(relu(bn1(conv1(x)))))))) + shortcut(x))</c> with conv1 1×1 In→Planes,
/// conv2 3×3 Planes→Planes with the stride, conv3 1×1 Planes→4·Planes; shortcut <c>downsample</c> =
/// [1×1 conv with the stride, BN] when the stride is not 1 or the width changes.
/// </summary>
/// <param name="InChannels">Input channels.</param>
/// <param name="Planes">Bottleneck width (output is 4·Planes).</param>
/// <param name="Stride">Stride of conv2 and of the shortcut.</param>
public sealed record Bottleneck(int InChannels, int Planes, int Stride) : IModule
{
    /// <summary>Output channels per plane.</summary>
    public const int Expansion = 4;

    /// <inheritdoc/>
    public string Kind => "Bottleneck";

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
                new("conv1", Conv(InChannels, Planes, 1, 1, 0)), new("bn1", new BatchNorm2d(Planes)),
                new("conv2", Conv(Planes, Planes, 3, Stride, 1)), new("bn2", new BatchNorm2d(Planes)),
                new("conv3", Conv(Planes, Planes * Expansion, 1, 1, 0)), new("bn3", new BatchNorm2d(Planes * Expansion)),
            ];
            if (HasDownsample)
                c.Add(new("downsample", new Sequential(Conv(InChannels, Planes * Expansion, 1, Stride, 0), new BatchNorm2d(Planes * Expansion))));
            return c;
        }
    }

    /// <inheritdoc/>
    public IEnumerable<string> CheckFields()
    {
        if (InChannels <= 0) yield return $"Bottleneck.InChannels {InChannels} must be positive";
        if (Planes <= 0) yield return $"Bottleneck.Planes {Planes} must be positive";
        if (Stride <= 0) yield return $"Bottleneck.Stride {Stride} must be positive";
    }

    /// <inheritdoc/>
    public Shape Trace(ShapeTracer tracer, IReadOnlyList<Shape> inputs) => ResidualTrace.Run(tracer, this, inputs);

    /// <summary>torchvision's bottleneck (v1.5, stride on the 3×3 conv): 1×1, 3×3, 1×1 convs with batch norms, plus the
    /// shortcut, ReLU.</summary>
    public Tensor Apply(ParamView p, Tensor x, ForwardContext ctx)
    {
        var h = ResidualBlock.ConvBn(this, 1, p, x, ctx).Relu_();   // in place on a batch-norm output, as torchvision
        h = ResidualBlock.ConvBn(this, 2, p, h, ctx).Relu_();
        h = ResidualBlock.ConvBn(this, 3, p, h, ctx);
        return ResidualBlock.AddShortcut(this, p, h, x, ctx);
    }
}

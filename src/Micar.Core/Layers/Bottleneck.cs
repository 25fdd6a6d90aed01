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

    /// <summary>The shortcut: <c>downsample</c> (1×1 conv + batch norm) when the block changes size, else the input.</summary>
    Tensor Shortcut(ParamView p, Tensor x, ForwardContext ctx) =>
        Children.FirstOrDefault(c => c.Name == "downsample").Layer is Sequential { Items: [Conv2d conv, BatchNorm2d bn] }
            ? bn.Apply(p.At("downsample.1"), conv.Apply(p.At("downsample.0"), x, ctx), ctx)
            : x.Alias();

    /// <summary>The child description under <paramref name="name"/>.</summary>
    T Child<T>(string name) where T : ILayer => (T)Children.Single(c => c.Name == name).Layer;

    /// <summary>torchvision's bottleneck (v1.5, stride on the 3×3 conv): 1×1, 3×3, 1×1 convs with batch norms, plus the
    /// shortcut, ReLU.</summary>
    public Tensor Apply(ParamView p, Tensor x, ForwardContext ctx)
    {
        var h = Child<BatchNorm2d>("bn1").Apply(p.At("bn1"), Child<Conv2d>("conv1").Apply(p.At("conv1"), x, ctx), ctx).Relu_();
        h = Child<BatchNorm2d>("bn2").Apply(p.At("bn2"), Child<Conv2d>("conv2").Apply(p.At("conv2"), h, ctx), ctx).Relu_();
        h = Child<BatchNorm2d>("bn3").Apply(p.At("bn3"), Child<Conv2d>("conv3").Apply(p.At("conv3"), h, ctx), ctx);
        return h.Add_(Shortcut(p, x, ctx)).Relu_();
    }
}

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

    /// <summary>The shortcut: <c>downsample</c> (1×1 conv + batch norm) when the block changes size, else the input.</summary>
    Tensor Shortcut(ParamView p, Tensor x, ForwardContext ctx) =>
        Children.FirstOrDefault(c => c.Name == "downsample").Layer is Sequential { Items: [Conv2d conv, BatchNorm2d bn] }
            ? bn.Apply(p.At("downsample.1"), conv.Apply(p.At("downsample.0"), x, ctx), ctx)
            : x.Alias();

    /// <summary>The child description under <paramref name="name"/>.</summary>
    T Child<T>(string name) where T : ILayer => (T)Children.Single(c => c.Name == name).Layer;

    /// <summary>torchvision's basic block: <c>relu(bn2(conv2(relu(bn1(conv1 x)))) + shortcut x)</c>.</summary>
    public Tensor Apply(ParamView p, Tensor x, ForwardContext ctx)
    {
        // In-place ReLU and residual add on batch-norm outputs (their backward keeps the input, not the output), as
        // torchvision does: one tensor per step instead of two.
        var h = Child<BatchNorm2d>("bn1").Apply(p.At("bn1"), Child<Conv2d>("conv1").Apply(p.At("conv1"), x, ctx), ctx).Relu_();
        h = Child<BatchNorm2d>("bn2").Apply(p.At("bn2"), Child<Conv2d>("conv2").Apply(p.At("conv2"), h, ctx), ctx);
        return h.Add_(Shortcut(p, x, ctx)).Relu_();
    }
}

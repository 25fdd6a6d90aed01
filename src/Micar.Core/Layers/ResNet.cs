using Micar.Nn;
using Micar.Torch;
using System.Globalization;

namespace Micar.Layers;

/// <summary>
/// A torchvision ResNet trunk (without <c>avgpool</c> and <c>fc</c>), image <c>[b, 3, H, W]</c> → C5
/// <c>[b, OutputChannels, ⌈H/32⌉, ⌈W/32⌉]</c>. Children with torchvision's names: <c>conv1</c> (7×7, stride 2),
/// <c>bn1</c>, <c>relu</c>, <c>maxpool</c> (3×3, stride 2), <c>layer1</c> … <c>layer4</c> (stages of
/// <see cref="BasicBlock"/>s for depth 18/34, <see cref="Bottleneck"/>s for 50/101/152), so ImageNet weights load by
/// name. Stage i has width 64·2^i per plane and stride 1 (i = 0) or 2.
/// </summary>
/// <param name="Depth">18, 34, 50, 101 or 152.</param>
public sealed record ResNet(int Depth) : IModule
{
    /// <summary>The depths torchvision defines.</summary>
    public static IReadOnlyList<int> SupportedDepths { get; } = [18, 34, 50, 101, 152];

    /// <inheritdoc/>
    public string Kind => "ResNet";

    /// <summary>Blocks per stage.</summary>
    public IReadOnlyList<int> BlockCounts => Depth switch
    {
        18 => [2, 2, 2, 2],
        34 => [3, 4, 6, 3],
        50 => [3, 4, 6, 3],
        101 => [3, 4, 23, 3],
        152 => [3, 8, 36, 3],
        _ => [],
    };

    /// <summary>True for the bottleneck variants (depth ≥ 50).</summary>
    public bool UsesBottleneck => Depth >= 50;

    /// <summary>Channel expansion of the blocks (1 or 4).</summary>
    public int Expansion => UsesBottleneck ? Bottleneck.Expansion : BasicBlock.Expansion;

    /// <summary>Output channels of stage <paramref name="stage"/> (0 … 3): C2 … C5.</summary>
    public int StageChannels(int stage) => (64 << stage) * Expansion;

    /// <summary>Channels of C5 (2048 for depth ≥ 50, 512 otherwise).</summary>
    public int OutputChannels => StageChannels(3);

    /// <summary>Channels of C5 for a depth, without building the description.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The depth is not supported.</exception>
    public static int OutputChannelsOf(int depth) => SupportedDepths.Contains(depth)
        ? new ResNet(depth).OutputChannels
        : throw new ArgumentOutOfRangeException(nameof(depth), depth, $"ResNet depth {depth} is not one of {string.Join(", ", SupportedDepths)}");

    /// <summary>The 7×7 stride-2 stem convolution.</summary>
    public Conv2d Conv1 => new(3, 64, 7, 2, 3, Bias: false, ConvInit.KaimingNormalFanOut);

    /// <summary>The stem BatchNorm.</summary>
    public BatchNorm2d Bn1 => new(64);

    /// <summary>The stem ReLU.</summary>
    public Act Relu => new(Activation.Relu);

    /// <summary>The stem max-pool.</summary>
    public MaxPool2d MaxPool => new(3, 2, 1);

    /// <summary>Stage <paramref name="stage"/> (0 … 3) as a sequence of blocks (torchvision's <c>layer{stage+1}</c>).</summary>
    public Sequential Stage(int stage)
    {
        var counts = BlockCounts;
        if (stage < 0 || stage >= counts.Count) return new Sequential(ValueList<ILayer>.Empty);
        var planes = 64 << stage;
        var inChannels = stage == 0 ? 64 : StageChannels(stage - 1);
        var blocks = new List<ILayer>();
        for (var i = 0; i < counts[stage]; i++)
        {
            var stride = i == 0 && stage > 0 ? 2 : 1;
            var cin = i == 0 ? inChannels : StageChannels(stage);
            blocks.Add(UsesBottleneck ? new Bottleneck(cin, planes, stride) : new BasicBlock(cin, planes, stride));
        }
        return new Sequential(blocks);
    }

    /// <inheritdoc/>
    public IReadOnlyList<ParamInfo> Tensors => [];

    /// <inheritdoc/>
    public IReadOnlyList<NamedLayer> Children =>
    [
        new("conv1", Conv1), new("bn1", Bn1), new("relu", Relu), new("maxpool", MaxPool),
        .. Enumerable.Range(0, BlockCounts.Count).Select(i => new NamedLayer("layer" + (i + 1).ToString(CultureInfo.InvariantCulture), Stage(i))),
    ];

    /// <inheritdoc/>
    public IEnumerable<string> CheckFields()
    {
        if (!SupportedDepths.Contains(Depth))
            yield return $"ResNet.Depth {Depth} is not one of {string.Join(", ", SupportedDepths)}";
    }

    /// <inheritdoc/>
    public Shape Trace(ShapeTracer tracer, IReadOnlyList<Shape> inputs)
    {
        tracer.ExpectInputs(inputs, 1);
        var x = inputs[0];
        foreach (var (name, child) in Children) x = tracer.Call(name, child, x);
        return x;
    }

    /// <summary>Runs the trunk on <paramref name="image"/> [b, 3, H, W] under torchvision's names and returns C5 [b, C, H/32, W/32].</summary>
    public Tensor Apply(ParamView p, Tensor image, ForwardContext ctx)
    {
        var c = Stages(p, image, ResNetNaming.Torchvision, ctx);
        for (int i = 0; i < 3; i++) c[i].Dispose();
        return c[3];
    }

    /// <summary>Runs the trunk on <paramref name="image"/> [b, 3, H, W] with its parameters where <paramref name="naming"/>
    /// says, each block and batch norm as this description says, and returns the four stage outputs C2 (H/4), C3 (H/8),
    /// C4 (H/16), C5 (H/32).</summary>
    public Tensor[] Stages(ParamView p, Tensor image, ResNetNaming naming, ForwardContext ctx)
    {
        if (!SupportedDepths.Contains(Depth))
            throw new ArgumentException($"ResNet depth {Depth} is not one of {string.Join(", ", SupportedDepths)}");
        using var scope = Libtorch.NewScope();
        var x = Conv1.Apply(p.At(naming.StemConv), image, ctx);
        x = Bn1.Apply(p.At(naming.StemBn), x, ctx).Relu_();
        x = MaxPool.Apply(p, x, ctx);
        var outputs = new Tensor[4];
        for (int s = 0; s < 4; s++)
        {
            var stage = Stage(s).Items;
            for (int b = 0; b < stage.Count; b++)
            {
                // One scope per block: what the block made and autograd does not keep is freed here, not at the
                // end of the network (as Python frees it when the last reference goes).
                using var blockScope = Libtorch.NewScope();
                x = ((IModule)stage[b]).Apply(p.At($"{naming.Stages[s]}.{b}"), x, ctx).MoveToOuterScope();
            }
            outputs[s] = x.MoveToOuterScope();
            x = outputs[s];
        }
        return outputs;
    }
}

/// <summary>Where the parts of a ResNet trunk live in a parameter store.</summary>
/// <param name="StemConv">Prefix of the 7×7 stem convolution (torchvision <c>conv1</c>).</param>
/// <param name="StemBn">Prefix of the stem BatchNorm (torchvision <c>bn1</c>).</param>
/// <param name="Stages">Prefixes of the four stages (torchvision <c>layer1</c>…<c>layer4</c>).</param>
public sealed record ResNetNaming(string StemConv, string StemBn, string[] Stages)
{
    /// <summary>torchvision's own names.</summary>
    public static ResNetNaming Torchvision { get; } = new("conv1", "bn1", ["layer1", "layer2", "layer3", "layer4"]);

    /// <summary>The official MicarVLMoE regrouping: <c>layer1 = [conv1, bn1, relu, maxpool, layer1]</c>, then
    /// <c>layer2.0</c>, <c>layer3.0</c>, <c>layer4.0</c>.</summary>
    public static ResNetNaming Official { get; } = new("layer1.0", "layer1.1", ["layer1.4", "layer2.0", "layer3.0", "layer4.0"]);

    /// <summary>The prefixes in order: stem conv, stem batch norm, the four stages.</summary>
    public IEnumerable<string> Prefixes => [StemConv, StemBn, .. Stages];

    /// <summary>A trunk key under these names, renamed to <paramref name="to"/>'s (e.g. <c>layer3.22.bn3.bias</c> from
    /// torchvision's to <c>layer3.0.22.bn3.bias</c> in the official names); null when the key is under none of the prefixes.</summary>
    public string? Rename(string key, ResNetNaming to)
    {
        foreach (var (from, target) in Prefixes.Zip(to.Prefixes))
            if (key.StartsWith(from + ".", StringComparison.Ordinal))
                return target + key[from.Length..];
        return null;
    }
}

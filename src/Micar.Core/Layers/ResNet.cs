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
public sealed record ResNet(int Depth) : ILayer
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
}

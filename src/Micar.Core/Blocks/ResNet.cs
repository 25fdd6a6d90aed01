using Micar.Model;
using Micar.Torch;
using Micar.Nn;

namespace Micar.Blocks;


using L = Micar.Layers;

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
}

/// <summary>torchvision's ResNet trunks (v1.5: the stride sits on the 3×3 convolution of a bottleneck).</summary>
public static class ResNet
{
    /// <summary>Blocks per stage for a depth.</summary>
    public static int[] StageBlocks(int depth) => depth switch
    {
        18 => [2, 2, 2, 2],
        34 => [3, 4, 6, 3],
        50 => [3, 4, 6, 3],
        101 => [3, 4, 23, 3],
        152 => [3, 8, 36, 3],
        _ => throw new ArgumentException($"ResNet depth {depth} is not one of 18, 34, 50, 101, 152"),
    };

    /// <summary>True for the bottleneck variants (50, 101, 152).</summary>
    public static bool IsBottleneck(int depth) => depth >= 50;

    /// <summary>Runs the trunk on <paramref name="image"/> [b, 3, H, W] and returns the four stage outputs
    /// C2 (H/4), C3 (H/8), C4 (H/16), C5 (H/32).</summary>
    public static Tensor[] Forward(ParamView p, Tensor image, int depth, ResNetNaming naming, ForwardContext ctx)
    {
        StageBlocks(depth); // rejects an unsupported depth with its message
        return Forward(p, image, new L.ResNet(depth), naming, ctx);
    }

    /// <summary>Runs the trunk <paramref name="backbone"/> describes on <paramref name="image"/> [b, 3, H, W] (each batch
    /// norm as its description says) and returns the four stage outputs C2 (H/4), C3 (H/8), C4 (H/16), C5 (H/32).</summary>
    public static Tensor[] Forward(ParamView p, Tensor image, L.ResNet backbone, ResNetNaming naming, ForwardContext ctx)
    {
        using var scope = Libtorch.NewScope();
        int depth = backbone.Depth;
        var x = F.Conv2d(image, p.At(naming.StemConv)["weight"], stride: 2, padding: 3);
        x = BatchNorm.Forward(p.At(naming.StemBn), x, ctx, backbone.Bn1).Relu_();
        x = F.MaxPool2d(x, 3, 2, 1);
        var blocks = StageBlocks(depth);
        var outputs = new Tensor[4];
        for (int s = 0; s < 4; s++)
        {
            var stage = backbone.Stage(s).Items;
            for (int b = 0; b < blocks[s]; b++)
            {
                int stride = s > 0 && b == 0 ? 2 : 1;
                var bp = p.At($"{naming.Stages[s]}.{b}");
                // One scope per block: what the block made and autograd does not keep is freed here, not at the
                // end of the network (as Python frees it when the last reference goes).
                using var blockScope = Libtorch.NewScope();
                x = (IsBottleneck(depth) ? Bottleneck(bp, x, stride, ctx, stage[b]) : Basic(bp, x, stride, ctx, stage[b])).MoveToOuterScope();
            }
            outputs[s] = x.MoveToOuterScope();
            x = outputs[s];
        }
        return outputs;
    }

    /// <summary>The batch-norm child <paramref name="name"/> of a block description (<c>downsample</c>: its BN).</summary>
    static L.BatchNorm2d Bn(L.ILayer block, string name)
    {
        var child = block.Children.Single(c => c.Name == name).Layer;
        return child is L.Sequential seq ? (L.BatchNorm2d)seq.Items[1] : (L.BatchNorm2d)child;
    }

    static Tensor Shortcut(ParamView p, Tensor x, int stride, ForwardContext ctx, L.ILayer block)
    {
        if (p.Optional("downsample.0.weight") is not { } w) return x.Alias();
        return BatchNorm.Forward(p.At("downsample.1"), F.Conv2d(x, w, stride: stride), ctx, Bn(block, "downsample"));
    }

    static Tensor Basic(ParamView p, Tensor x, int stride, ForwardContext ctx, L.ILayer block)
    {
        // In-place ReLU and residual add on batch-norm outputs (their backward keeps the input, not the output), as
        // torchvision does: one tensor per step instead of two.
        var h = BatchNorm.Forward(p.At("bn1"), F.Conv2d(x, p["conv1.weight"], stride: stride, padding: 1), ctx, Bn(block, "bn1")).Relu_();
        h = BatchNorm.Forward(p.At("bn2"), F.Conv2d(h, p["conv2.weight"], padding: 1), ctx, Bn(block, "bn2"));
        return h.Add_(Shortcut(p, x, stride, ctx, block)).Relu_();
    }

    static Tensor Bottleneck(ParamView p, Tensor x, int stride, ForwardContext ctx, L.ILayer block)
    {
        var h = BatchNorm.Forward(p.At("bn1"), F.Conv2d(x, p["conv1.weight"]), ctx, Bn(block, "bn1")).Relu_();
        h = BatchNorm.Forward(p.At("bn2"), F.Conv2d(h, p["conv2.weight"], stride: stride, padding: 1), ctx, Bn(block, "bn2")).Relu_();
        h = BatchNorm.Forward(p.At("bn3"), F.Conv2d(h, p["conv3.weight"]), ctx, Bn(block, "bn3"));
        return h.Add_(Shortcut(p, x, stride, ctx, block)).Relu_();
    }
}

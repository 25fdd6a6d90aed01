using Micar.Nn;
using Micar.Torch;

namespace Micar.Layers;

/// <summary>The forward parts shared by the two ResNet block kinds (<see cref="BasicBlock"/>, <see cref="Bottleneck"/>),
/// each read from the block's own children: <c>bnN(convN x)</c> and the residual add with the shortcut.</summary>
internal static class ResidualBlock
{
    /// <summary><c>bnN(convN x)</c> with the block's children <c>convN</c> and <c>bnN</c>.</summary>
    public static Tensor ConvBn(ILayer block, int n, ParamView p, Tensor x, ForwardContext ctx)
    {
        string conv = "conv" + n, bn = "bn" + n;
        var y = Child<Conv2d>(block, conv).Apply(p.At(conv), x, ctx);
        return Child<BatchNorm2d>(block, bn).Apply(p.At(bn), y, ctx);
    }

    /// <summary><c>relu(h + shortcut x)</c>, in place on <paramref name="h"/> (a batch-norm output, whose backward keeps
    /// the input, not the output, as torchvision does); the shortcut is <c>downsample</c> (1×1 conv + batch norm) when
    /// the block has one, else the input.</summary>
    public static Tensor AddShortcut(ILayer block, ParamView p, Tensor h, Tensor x, ForwardContext ctx)
    {
        var shortcut = block.Children.FirstOrDefault(c => c.Name == "downsample").Layer is Sequential { Items: [Conv2d conv, BatchNorm2d bn] }
            ? bn.Apply(p.At("downsample.1"), conv.Apply(p.At("downsample.0"), x, ctx), ctx)
            : x.Alias();
        return h.Add_(shortcut).Relu_();
    }

    static T Child<T>(ILayer block, string name) where T : ILayer => (T)block.Children.Single(c => c.Name == name).Layer;
}

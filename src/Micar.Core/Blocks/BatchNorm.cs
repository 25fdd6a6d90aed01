using Micar.Model;
using Micar.Torch;

namespace Micar.Blocks;

using Torch = Micar.Torch.Torch;

/// <summary>BatchNorm2d over a parameter prefix holding <c>weight</c>, <c>bias</c>, <c>running_mean</c>,
/// <c>running_var</c> and <c>num_batches_tracked</c> (PyTorch's names): batch statistics and a running-stat update
/// (momentum from the context, 0.1 by default) in training, running statistics in evaluation; eps 1e-5.</summary>
public static class BatchNorm
{
    /// <summary>Normalises <paramref name="x"/> [b, C, h, w].</summary>
    public static Tensor Forward(ParamView p, Tensor x, ForwardContext ctx, double eps = 1e-5)
    {
        var y = F.BatchNorm(x, p["running_mean"], p["running_var"], p["weight"], p["bias"], ctx.Training, ctx.BatchNormMomentum, eps);
        if (ctx.Training && p.Optional("num_batches_tracked") is { } n)
        {
            using var noGrad = Autograd.NoGrad();
            n.Add_(1);
        }
        return y;
    }
}

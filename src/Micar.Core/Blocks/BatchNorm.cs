using Micar.Model;
using Micar.Torch;
using Micar.Nn;

namespace Micar.Blocks;


/// <summary>BatchNorm2d over a parameter prefix holding <c>weight</c>, <c>bias</c>, <c>running_mean</c>,
/// <c>running_var</c> and <c>num_batches_tracked</c> (PyTorch's names), as its <see cref="Layers.BatchNorm2d"/>
/// description says: eps from <see cref="Layers.BatchNorm2d.Eps"/>; in training, batch statistics and the running-stat
/// update <c>running = (1 − m)·running + m·batch</c> (unbiased variance) with m = <see cref="ForwardContext.BatchNormMomentum"/>
/// when the context sets it, else <see cref="Layers.BatchNorm2d.Momentum"/>; running statistics in evaluation.</summary>
public static class BatchNorm
{
    /// <summary>Normalises <paramref name="x"/> [b, C, h, w] as <paramref name="layer"/> describes (null: the default
    /// description, eps 1e-5 and momentum 0.1).</summary>
    public static Tensor Forward(ParamView p, Tensor x, ForwardContext ctx, Layers.BatchNorm2d? layer = null)
    {
        double eps = layer?.Eps ?? Defaults.Eps, momentum = ctx.BatchNormMomentum ?? layer?.Momentum ?? Defaults.Momentum;
        var y = F.BatchNorm(x, p["running_mean"], p["running_var"], p["weight"], p["bias"], ctx.Training, momentum, eps);
        if (ctx.Training && p.Optional("num_batches_tracked") is { } n)
        {
            using var noGrad = Autograd.NoGrad();
            n.Add_(1);
        }
        return y;
    }

    static readonly Layers.BatchNorm2d Defaults = new(1);
}

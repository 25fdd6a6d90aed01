using Micar.Torch;
using Micar.Nn;

namespace Micar.Layers;

/// <summary>
/// Batch normalisation over the channel axis of <c>[b, C, H, W]</c> (shape-preserving). Parameters
/// <c>weight</c> (ones) and <c>bias</c> (zeros); buffers <c>running_mean</c> (zeros), <c>running_var</c> (ones)
/// and <c>num_batches_tracked</c> (int64 scalar). Eval: <c>(x − mean)/√(var + Eps)·weight + bias</c>.
/// </summary>
/// <param name="Channels">Number of channels C.</param>
/// <param name="Eps">Added to the variance.</param>
/// <param name="Momentum">Running-statistics update rate in training: <c>running = (1 − Momentum)·running + Momentum·batch</c>
/// (unbiased variance), unless <see cref="ForwardContext.BatchNormMomentum"/> overrides it for a pass.</param>
public sealed record BatchNorm2d(int Channels, double Eps = 1e-5, double Momentum = 0.1) : IModule
{
    /// <inheritdoc/>
    public string Kind => "BatchNorm2d";

    /// <inheritdoc/>
    public IReadOnlyList<ParamInfo> Tensors =>
    [
        ParamInfo.Param("weight", new Shape(Channels), new Initializer.Ones()),
        ParamInfo.Param("bias", new Shape(Channels), new Initializer.Zeros()),
        ParamInfo.Buffer("running_mean", new Shape(Channels), new Initializer.Zeros()),
        ParamInfo.Buffer("running_var", new Shape(Channels), new Initializer.Ones()),
        new("num_batches_tracked", Shape.Scalar, DType.Int64, ParamKind.Buffer, new Initializer.Zeros()),
    ];

    /// <inheritdoc/>
    public IReadOnlyList<NamedLayer> Children => [];

    /// <inheritdoc/>
    public IEnumerable<string> CheckFields()
    {
        if (Channels <= 0) yield return $"BatchNorm2d.Channels {Channels} must be positive";
        if (!(Eps > 0)) yield return $"BatchNorm2d.Eps {Eps} must be positive";
        if (!(Momentum is >= 0 and <= 1)) yield return $"BatchNorm2d.Momentum {Momentum} must lie in [0, 1]";
    }

    /// <inheritdoc/>
    public Shape Trace(ShapeTracer tracer, IReadOnlyList<Shape> inputs)
    {
        tracer.ExpectInputs(inputs, 1);
        tracer.ExpectRank(inputs[0], 4, "input");
        tracer.ExpectDim(inputs[0], 1, Channels, "input");
        return inputs[0];
    }

    /// <summary>Normalises <paramref name="x"/> [b, C, h, w] with <c>weight</c>, <c>bias</c>, <c>running_mean</c>,
    /// <c>running_var</c> (and counts <c>num_batches_tracked</c>): batch statistics and the running-stat update
    /// <c>running = (1 − m)·running + m·batch</c> (unbiased variance) in training, with m =
    /// <see cref="ForwardContext.BatchNormMomentum"/> when the context sets it, else <see cref="Momentum"/>; running
    /// statistics in evaluation; <see cref="Eps"/> in both.</summary>
    public Tensor Apply(ParamView p, Tensor x, ForwardContext ctx)
    {
        double momentum = ctx.BatchNormMomentum ?? Momentum;
        var y = ctx is { Training: true, SyncBatchNorm: { Size: > 1 } group }
            ? SyncBatchNorm(p, x, group, momentum)
            : F.BatchNorm(x, p["running_mean"], p["running_var"], p["weight"], p["bias"], ctx.Training, momentum, Eps);
        if (ctx.Training && p.Optional("num_batches_tracked") is { } n)
        {
            using var noGrad = Autograd.NoGrad();
            n.Add_(1);
        }
        return y;
    }

    /// <summary>Training-mode batch norm with statistics over the global batch of <paramref name="group"/>'s ranks (which
    /// may hold different numbers of rows): the sum and count in one differentiable all-reduce, then the sum of squared
    /// deviations from the global mean in a second (two passes, as exact as one process's variance). The running
    /// statistics get the global mean and the unbiased global variance, so they stay equal on every rank.</summary>
    Tensor SyncBatchNorm(ParamView p, Tensor x, Micar.Torch.Distributed.ProcessGroup group, double momentum)
    {
        long[] dims = [0, 2, 3];
        var perRank = Libtorch.Full([1], x.Numel / Channels, x.DType, x.Device);
        var sums = group.SumDifferentiable(Libtorch.Cat([x.Sum(dims), perRank]));
        double n = sums.Narrow(0, Channels, 1).Item();
        if (n < 2) throw new ArgumentException($"SyncBatchNorm needs more than one value per channel over the group, got {n}");
        var mean = sums.Narrow(0, 0, Channels).Div(n);
        var centered = x.Sub(mean.View(1, Channels, 1, 1));
        var variance = group.SumDifferentiable(centered.Mul(centered).Sum(dims)).Div(n);
        var y = centered.Mul(variance.Add(Eps).Rsqrt().Mul(p["weight"]).View(1, Channels, 1, 1)).Add(p["bias"].View(1, Channels, 1, 1));
        using var noGrad = Autograd.NoGrad();
        p["running_mean"].Mul_(1 - momentum).Add_(mean.Detach().Mul(momentum));
        p["running_var"].Mul_(1 - momentum).Add_(variance.Detach().Mul(momentum * n / (n - 1)));
        return y;
    }
}

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
/// (unbiased variance), unless <see cref="Model.ForwardContext.BatchNormMomentum"/> overrides it for a pass.</param>
public sealed record BatchNorm2d(int Channels, double Eps = 1e-5, double Momentum = 0.1) : ILayer
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
}

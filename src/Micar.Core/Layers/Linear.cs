using Micar.Torch;
using Micar.Nn;
namespace Micar.Layers;

/// <summary>
/// <c>y = x·Wᵀ (+ b)</c> on the last axis: <c>[..., InFeatures] → [..., OutFeatures]</c>.
/// Tensors <c>weight [OutFeatures, InFeatures]</c> and, with <paramref name="Bias"/>, <c>bias [OutFeatures]</c>.
/// </summary>
/// <param name="InFeatures">Input width.</param>
/// <param name="OutFeatures">Output width.</param>
/// <param name="Bias">Whether there is a bias.</param>
/// <param name="Init">Weight initializer; the bias always gets U(±1/√in).</param>
public sealed record Linear(int InFeatures, int OutFeatures, bool Bias = true, WeightInit Init = WeightInit.TorchDefault) : IModule
{
    /// <inheritdoc/>
    public string Kind => "Linear";

    /// <inheritdoc/>
    public IReadOnlyList<ParamInfo> Tensors
    {
        get
        {
            var weight = ParamInfo.Param("weight", new Shape(OutFeatures, InFeatures), Init switch
            {
                WeightInit.XavierUniform => new Initializer.XavierUniform(InFeatures, OutFeatures),
                _ => new Initializer.UniformFanIn(InFeatures),
            });
            return Bias
                ? [weight, ParamInfo.Param("bias", new Shape(OutFeatures), new Initializer.UniformFanIn(InFeatures))]
                : [weight];
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<NamedLayer> Children => [];

    /// <inheritdoc/>
    public IEnumerable<string> CheckFields()
    {
        if (InFeatures <= 0) yield return $"Linear.InFeatures {InFeatures} must be positive";
        if (OutFeatures <= 0) yield return $"Linear.OutFeatures {OutFeatures} must be positive";
    }

    /// <inheritdoc/>
    public Shape Trace(ShapeTracer tracer, IReadOnlyList<Shape> inputs)
    {
        tracer.ExpectInputs(inputs, 1);
        var x = inputs[0];
        tracer.ExpectMinRank(x, 1, "input");
        tracer.ExpectDim(x, -1, InFeatures, "input");
        tracer.AddFlops(2L * InFeatures * OutFeatures * (x.Numel / InFeatures));
        return x.WithLast(OutFeatures);
    }

    /// <summary><c>x·weightᵀ (+ bias)</c> over the last dimension.</summary>
    public Tensor Apply(ParamView p, Tensor x, ForwardContext ctx) => F.Linear(x, p["weight"], Bias ? p["bias"] : null);
}

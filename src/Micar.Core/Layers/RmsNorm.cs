using Micar.Torch;
using Micar.Nn;
namespace Micar.Layers;

/// <summary>
/// RMSNorm over the last axis (§4.1): <c>y = x·rsqrt(mean(x²) + Eps)·weight</c>, computed in float32,
/// no bias, no mean subtraction. Tensor <c>weight [Dim]</c> (ones). Shape-preserving.
/// </summary>
/// <param name="Dim">Normalised width (size of the last axis).</param>
/// <param name="Eps">Added to the mean square (1e-6 everywhere in the model).</param>
public sealed record RmsNorm(int Dim, double Eps = 1e-6) : IModule
{
    /// <inheritdoc/>
    public string Kind => "RmsNorm";

    /// <inheritdoc/>
    public IReadOnlyList<ParamInfo> Tensors => [ParamInfo.Param("weight", new Shape(Dim), new Initializer.Ones())];

    /// <inheritdoc/>
    public IReadOnlyList<NamedLayer> Children => [];

    /// <inheritdoc/>
    public IEnumerable<string> CheckFields()
    {
        if (Dim <= 0) yield return $"RmsNorm.Dim {Dim} must be positive";
        if (!(Eps > 0)) yield return $"RmsNorm.Eps {Eps} must be positive";
    }

    /// <inheritdoc/>
    public Shape Trace(ShapeTracer tracer, IReadOnlyList<Shape> inputs)
    {
        tracer.ExpectInputs(inputs, 1);
        tracer.ExpectMinRank(inputs[0], 1, "input");
        tracer.ExpectDim(inputs[0], -1, Dim, "input");
        return inputs[0];
    }

    /// <summary>Normalises over the last dimension with this layer's <see cref="Eps"/> and its <c>weight</c>.</summary>
    public Tensor Apply(ParamView p, Tensor x, ForwardContext ctx) => Normalize(x, p["weight"], Eps);

    static readonly Op Fused = new("micar::rms_norm");

    /// <summary>RMSNorm as the official code computes it: in float32, <c>x·rsqrt(mean(x²) + eps)</c>, cast back to the
    /// input dtype, then times the weight (the six ATen operators in one call, <c>micar::rms_norm</c>).</summary>
    public static Tensor Normalize(Tensor x, Tensor weight, double eps = 1e-6) => Fused.Call(x, weight, eps);
}

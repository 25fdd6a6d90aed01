using Micar.Nn;
using Micar.Torch;

namespace Micar.Layers;

/// <summary>
/// The MoE router (§4.9, <c>moe.gate</c>): on flattened tokens <c>[n, DModel]</c>, <c>p = softmax(gate(x))</c>
/// <c>[n, Experts]</c>, top-<paramref name="TopK"/> scores renormalised to sum 1. Child <c>gate</c>:
/// Linear DModel→Experts without bias. Output shape: the probabilities.
/// </summary>
/// <param name="DModel">Token width.</param>
/// <param name="Experts">Number of experts E.</param>
/// <param name="TopK">Experts selected per token k.</param>
/// <param name="Init">Initializer of the gate weight.</param>
public sealed record MoeRouter(int DModel, int Experts, int TopK, WeightInit Init = WeightInit.TorchDefault) : IMoeRouter
{
    /// <summary>The name of this router in <see cref="MoeRouters"/> and in specs (<c>moe.router</c>): the official routing.</summary>
    public const string KindName = "top-k";

    /// <inheritdoc/>
    public string Kind => "MoeRouter";

    /// <summary>The routing projection.</summary>
    public Linear Gate => new(DModel, Experts, Bias: false, Init);

    /// <inheritdoc/>
    public IReadOnlyList<ParamInfo> Tensors => [];

    /// <inheritdoc/>
    public IReadOnlyList<NamedLayer> Children => [new("gate", Gate)];

    /// <inheritdoc/>
    public IEnumerable<string> CheckFields()
    {
        if (Experts <= 0) yield return $"MoeRouter.Experts {Experts} must be positive";
        if (TopK <= 0) yield return $"MoeRouter.TopK {TopK} must be positive";
        else if (TopK > Experts) yield return $"MoeRouter.TopK {TopK} exceeds MoeRouter.Experts {Experts}";
    }

    /// <inheritdoc/>
    public Shape Trace(ShapeTracer tracer, IReadOnlyList<Shape> inputs)
    {
        tracer.ExpectInputs(inputs, 1);
        return tracer.Call("gate", Gate, inputs[0]);
    }

    /// <summary>Routes flattened tokens [n, DModel] with the weight under <paramref name="p"/>: probabilities [n, E],
    /// top-k scores renormalised to sum 1 [n, k] and the chosen experts [n, k].</summary>
    public (Tensor Probs, Tensor Scores, Tensor Experts) Route(ParamView p, Tensor tokens, ForwardContext ctx)
    {
        using var scope = Libtorch.NewScope();
        var probs = Gate.Apply(p.At("gate"), tokens, ctx).Softmax(-1);                 // [n, E]
        var (s, idx) = probs.TopK(TopK, -1);
        var scores = s.Div(s.Sum(-1, keepDim: true));                                  // ŝ, renormalised
        return (probs.MoveToOuterScope(), scores.MoveToOuterScope(), idx.MoveToOuterScope());
    }
}

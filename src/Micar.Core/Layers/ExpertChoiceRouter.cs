using Micar.Nn;
using Micar.Torch;

namespace Micar.Layers;

/// <summary>
/// Expert-choice routing (Zhou et al., 2022, "Mixture-of-Experts with Expert Choice Routing"): the experts choose their
/// tokens instead of the tokens choosing experts. The probabilities are those of top-k routing, <c>p = softmax(gate(x))</c>
/// [n, E]; each expert takes the <see cref="Capacity"/> C = ⌈n·TopK / E⌉ tokens with the highest <c>p[:, e]</c> and
/// weighs each by its probability. On average a token is seen by TopK experts, and every expert sees exactly C tokens:
/// balanced by construction, while a token may get no expert (then it passes the layer through the residual alone) or
/// several. Slots: one per expert per token, −1 where that expert did not choose the token. The gate is the same
/// <c>gate.weight</c> [E, d] as top-k's, so one checkpoint loads under either router. Spec: <c>moe.router: expert-choice</c>.
/// Not causal: a token's experts depend on the other tokens of the batch, later positions included, so teacher-forced
/// training and step-by-step decoding route differently (as in the paper, which uses it where whole sequences are seen).
/// </summary>
/// <param name="DModel">Token width.</param>
/// <param name="Experts">Number of experts E.</param>
/// <param name="TopK">Capacity factor: experts per token on average.</param>
/// <param name="Init">Initializer of the gate weight.</param>
public sealed record ExpertChoiceRouter(int DModel, int Experts, int TopK, WeightInit Init = WeightInit.TorchDefault) : IMoeRouter
{
    /// <summary>The name of this router in <see cref="MoeRouters"/> and in specs (<c>moe.router</c>).</summary>
    public const string KindName = "expert-choice";

    /// <inheritdoc/>
    public string Kind => "ExpertChoiceRouter";

    /// <summary>The routing projection.</summary>
    public Linear Gate => new(DModel, Experts, Bias: false, Init);

    /// <inheritdoc/>
    public IReadOnlyList<ParamInfo> Tensors => [];

    /// <inheritdoc/>
    public IReadOnlyList<NamedLayer> Children => [new("gate", Gate)];

    /// <inheritdoc/>
    public IEnumerable<string> CheckFields()
    {
        if (Experts <= 0) yield return $"ExpertChoiceRouter.Experts {Experts} must be positive";
        if (TopK <= 0) yield return $"ExpertChoiceRouter.TopK {TopK} must be positive";
        else if (TopK > Experts) yield return $"ExpertChoiceRouter.TopK {TopK} exceeds ExpertChoiceRouter.Experts {Experts}";
    }

    /// <inheritdoc/>
    public Shape Trace(ShapeTracer tracer, IReadOnlyList<Shape> inputs)
    {
        tracer.ExpectInputs(inputs, 1);
        return tracer.Call("gate", Gate, inputs[0]);
    }

    /// <summary>Tokens each expert takes out of <paramref name="tokens"/>: ⌈tokens·TopK / E⌉, at most all of them.</summary>
    public long Capacity(long tokens) => Math.Min(tokens, (tokens * TopK + Experts - 1) / Experts);

    /// <inheritdoc/>
    public (Tensor Probs, Tensor Scores, Tensor Experts) Route(ParamView p, Tensor tokens, ForwardContext ctx)
    {
        using var scope = Libtorch.NewScope();
        var probs = Gate.Apply(p.At("gate"), tokens, ctx).Softmax(-1);                          // [n, E]
        long n = probs.Size(0), c = Capacity(n);
        var (_, chosen) = probs.Transpose(0, 1).TopK(c, -1);                                    // [E, C] each expert's tokens
        var picked = Libtorch.Zeros([Experts, n], DType.Float32, probs.Device)
            .ScatterAdd(1, chosen, Libtorch.Ones([Experts, c], DType.Float32, probs.Device))
            .Transpose(0, 1).Gt(0);                                                             // [n, E]: e chose t
        var ids = Libtorch.Arange(Experts, DType.Int64, probs.Device).Unsqueeze(0).Expand(n, Experts);
        var experts = Libtorch.Where(picked, ids, Libtorch.Full([n, Experts], -1, DType.Int64, probs.Device));
        var scores = probs.Mul(picked.To(probs.DType));
        return (probs.MoveToOuterScope(), scores.MoveToOuterScope(), experts.MoveToOuterScope());
    }
}

using Micar.Nn;
using Micar.Torch;

namespace Micar.Layers;

/// <summary>
/// MedMoE's modality-conditioned router: for each token x of an image whose modality distribution is q (a one-hot label
/// in training, the image's predicted modality probabilities at inference), expert logits
/// <c>z = gate(x) + modality_gate(Σₘ qₘ·modality_embedding[m])</c>, probabilities <c>p = softmax(z)</c> over the
/// <paramref name="Experts"/> experts, the top-<paramref name="TopK"/> kept and renormalised to sum 1 per token.
/// Children <c>gate</c> (Linear DModel→E, no bias) and, when <paramref name="Modalities"/> &gt; 0, <c>modality_embedding</c>
/// (Embedding M×ModalityDim) and <c>modality_gate</c> (Linear ModalityDim→E, no bias). With <paramref name="Modalities"/> = 0
/// the router is unconditioned (a plain softmax top-k router over the token alone, the ablation).
/// <para>The modality's own preference over experts is <see cref="ModalityPrior"/> (row m: the logits a one-hot modality
/// m adds to every token); when that term dominates the token term (a saturated router), a token of modality m is sent
/// to the top-k experts of row m.</para>
/// </summary>
/// <param name="DModel">Token width.</param>
/// <param name="Experts">Number of experts E.</param>
/// <param name="TopK">Experts kept per token k (k = E: dense softmax weights).</param>
/// <param name="Modalities">Number of modalities M (0: unconditioned).</param>
/// <param name="ModalityDim">Width of the modality embedding.</param>
/// <param name="Init">Initializer of the gate and embedding weights.</param>
public sealed record ConditionedRouter(int DModel, int Experts, int TopK, int Modalities, int ModalityDim, WeightInit Init = WeightInit.XavierUniform) : ILayer
{
    /// <inheritdoc/>
    public string Kind => Modalities > 0 ? "ConditionedRouter" : "UnconditionedRouter";

    /// <summary>True when the routing depends on the modality.</summary>
    public bool Conditioned => Modalities > 0;

    /// <summary>The token projection to expert logits.</summary>
    public Linear Gate => new(DModel, Experts, Bias: false, Init);

    /// <summary>The modality table.</summary>
    public Embedding ModalityEmbedding => new(Math.Max(Modalities, 1), ModalityDim, Init);

    /// <summary>The modality projection to expert logits.</summary>
    public Linear ModalityGate => new(ModalityDim, Experts, Bias: false, Init);

    /// <inheritdoc/>
    public IReadOnlyList<ParamInfo> Tensors => [];

    /// <inheritdoc/>
    public IReadOnlyList<NamedLayer> Children => Conditioned
        ? [new("gate", Gate), new("modality_embedding", ModalityEmbedding), new("modality_gate", ModalityGate)]
        : [new("gate", Gate)];

    /// <inheritdoc/>
    public IEnumerable<string> CheckFields()
    {
        if (DModel <= 0) yield return $"ConditionedRouter.DModel {DModel} must be positive";
        if (Experts <= 0) yield return $"ConditionedRouter.Experts {Experts} must be positive";
        if (TopK <= 0) yield return $"ConditionedRouter.TopK {TopK} must be positive";
        else if (TopK > Experts) yield return $"ConditionedRouter.TopK {TopK} exceeds ConditionedRouter.Experts {Experts}";
        if (Modalities < 0) yield return $"ConditionedRouter.Modalities {Modalities} must not be negative";
        if (Modalities > 0 && ModalityDim <= 0) yield return $"ConditionedRouter.ModalityDim {ModalityDim} must be positive";
    }

    /// <summary>Inputs: tokens <c>[b, n, DModel]</c> and, when conditioned, the modality distribution <c>[b, M]</c>;
    /// output: the routing probabilities <c>[b, n, E]</c>.</summary>
    public Shape Trace(ShapeTracer tracer, IReadOnlyList<Shape> inputs)
    {
        tracer.ExpectInputs(inputs, Conditioned ? 2 : 1);
        var x = inputs[0];
        tracer.ExpectRank(x, 3, "tokens");
        var logits = tracer.Call("gate", Gate, x);
        if (Conditioned)
        {
            var q = inputs[1];
            tracer.ExpectRank(q, 2, "modality");
            tracer.ExpectDim(q, 0, x[0], "modality");
            tracer.ExpectDim(q, 1, Modalities, "modality");
            tracer.AddFlops(2L * q[0] * Modalities * ModalityDim);                    // q · table
            tracer.Call("modality_gate", ModalityGate, new Shape(q[0], ModalityDim));
        }
        return logits;
    }

    /// <summary>The expert logits each modality adds to its tokens: <c>modality_gate(modality_embedding)</c> [M, E]
    /// (zeros [1, E] for an unconditioned router).</summary>
    public Tensor ModalityPrior(ParamView p) => Conditioned
        ? F.Linear(p["modality_embedding.weight"], p["modality_gate.weight"])
        : Libtorch.Zeros([1, Experts], device: p["gate.weight"].Device);

    /// <summary>Routes tokens [b, n, DModel] of images whose modality distribution is <paramref name="modality"/> [b, M]
    /// (rows summing to 1; ignored, and may be null, for an unconditioned router). Returns the probabilities [b, n, E],
    /// the kept weights renormalised to sum 1 per token [b, n, k] and the kept experts [b, n, k] (int64).</summary>
    public (Tensor Probs, Tensor Scores, Tensor Experts) Route(ParamView p, Tensor tokens, Tensor? modality, ForwardContext ctx)
    {
        using var scope = Libtorch.NewScope();
        var logits = Gate.Apply(p.At("gate"), tokens, ctx);                              // [b, n, E]
        if (Conditioned)
        {
            if (modality is null) throw new ArgumentException("ConditionedRouter: a modality distribution [b, M] is required");
            if (modality.Dim != 2 || modality.Size(0) != tokens.Size(0) || modality.Size(1) != Modalities)
                throw new ArgumentException($"ConditionedRouter: modality [{string.Join(", ", modality.Shape)}] must be [{tokens.Size(0)}, {Modalities}]");
            var prior = modality.To(logits.DType).Matmul(ModalityPrior(p));             // [b, E] = q · (table · Wᵀ)
            logits = logits.Add(prior.Unsqueeze(1));
        }
        var probs = logits.Softmax(-1);                                                  // [b, n, E]
        // Chosen and renormalised on the logits: p_i / Σ_kept p_j = softmax over the kept logits. The same numbers as
        // top-k of the probabilities, but robust when the modality term saturates the softmax (kept probabilities that
        // underflow to 0 would tie, and their renormalisation would divide 0 by 0).
        var (kept, idx) = logits.TopK(TopK, -1);
        var scores = kept.Softmax(-1);
        if (ctx.Trace is { } trace)
        {
            trace.Record(p.Prefix, "routing.probs", probs);
            trace.Record(p.Prefix, "routing.experts", idx);
        }
        return (probs.MoveToOuterScope(), scores.MoveToOuterScope(), idx.MoveToOuterScope());
    }

    /// <summary>Dense per-token expert weights [b, n, E]: the kept scores scattered back to their experts, 0 elsewhere
    /// (each row sums to 1).</summary>
    public static Tensor DenseWeights(Tensor probs, Tensor scores, Tensor experts)
    {
        using var scope = Libtorch.NewScope();
        return Libtorch.ZerosLike(probs).ScatterAdd(-1, experts, scores).MoveToOuterScope();
    }
}

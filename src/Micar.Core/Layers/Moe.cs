using Micar.Nn;
using Micar.Torch;
using System.Globalization;

namespace Micar.Layers;

/// <summary>
/// Mixture of gated-FFN experts (§4.9), <c>[b, T, DModel] → [b, T, DModel]</c>, plus a scalar balance value
/// <c>lb = Σₑ p̄ₑ·ln(p̄ₑ + 1e-8)</c> (p̄ = mean routing probabilities over all b·T tokens), added to the loss
/// with weight <paramref name="BalanceLossWeight"/>. Children <c>experts</c> (<see cref="LayerList"/> of
/// <see cref="GatedFfn"/>) and <c>gate</c> (<see cref="MoeRouter"/>).
/// <para><paramref name="Combine"/>: <see cref="MoeCombine.Weighted"/> = Σ ŝᵢ·fᵢ(x) (paper);
/// <see cref="MoeCombine.Sum"/> = (Σ ŝ)·Σ fᵢ(x) (official). <paramref name="Dispatch"/>: which tokens each
/// expert runs on (changes compute only).</para>
/// </summary>
/// <param name="DModel">Token width.</param>
/// <param name="DFf">Hidden width of each expert.</param>
/// <param name="Experts">Number of experts E.</param>
/// <param name="TopK">Experts per token k.</param>
/// <param name="Activation">Expert activation.</param>
/// <param name="Dropout">Dropout after each expert's w2.</param>
/// <param name="Combine">How the selected experts are combined.</param>
/// <param name="Dispatch">How experts are run.</param>
/// <param name="BalanceLossWeight">Weight of the balance value in the training loss (0.01 official, 0 = ablated); the
/// loss reads it through <see cref="CaptionModel.BalanceLossWeight"/>, so all MoE layers of a decoder must agree.</param>
/// <param name="Init">Initializer of the expert and router weights.</param>
public sealed record Moe(
    int DModel, int DFf, int Experts, int TopK, Activation Activation, double Dropout,
    MoeCombine Combine, MoeDispatch Dispatch, double BalanceLossWeight, WeightInit Init = WeightInit.TorchDefault) : IModule
{
    /// <summary>Added to p̄ inside the logarithm of the balance value.</summary>
    public const double BalanceEpsilon = 1e-8;

    /// <inheritdoc/>
    public string Kind => "Moe";

    /// <summary>The description of one expert (all experts are alike).</summary>
    public GatedFfn Expert => new(DModel, DFf, Activation, Dropout, Init);

    /// <summary>Which router decides the experts of each token: a name in <see cref="MoeRouters"/> (default
    /// <see cref="MoeRouter.KindName"/>, the official softmax top-k).</summary>
    public string RouterKind { get; init; } = MoeRouter.KindName;

    /// <summary>The router (<see cref="RouterKind"/>), its parameters under <c>gate</c>.</summary>
    public IMoeRouter Router => MoeRouters.Create(RouterKind, DModel, Experts, TopK, Init);

    /// <summary>The experts container.</summary>
    public LayerList ExpertList => new(Enumerable.Repeat<ILayer>(Expert, Math.Max(Experts, 0)));

    /// <inheritdoc/>
    public IReadOnlyList<ParamInfo> Tensors => [];

    /// <inheritdoc/>
    public IReadOnlyList<NamedLayer> Children =>
        MoeRouters.Names.Contains(RouterKind) ? [new("experts", ExpertList), new("gate", Router)] : [new("experts", ExpertList)];

    /// <inheritdoc/>
    public IEnumerable<string> CheckFields()
    {
        if (Experts <= 0) yield return $"Moe.Experts {Experts} must be positive";
        // TopK is checked by the router (its child "gate"), which is what uses it.
        if (!(BalanceLossWeight >= 0)) yield return $"Moe.BalanceLossWeight {BalanceLossWeight} must not be negative";
        if (!Enum.IsDefined(Combine)) yield return $"Moe.Combine {(int)Combine} is not a known combine mode";
        if (!Enum.IsDefined(Dispatch)) yield return $"Moe.Dispatch {(int)Dispatch} is not a known dispatch mode";
        if (!MoeRouters.Names.Contains(RouterKind))
            yield return $"Moe.RouterKind '{RouterKind}' is not one of {string.Join(", ", MoeRouters.Names)}";
    }

    /// <inheritdoc/>
    public Shape Trace(ShapeTracer tracer, IReadOnlyList<Shape> inputs)
    {
        tracer.ExpectInputs(inputs, 1);
        var x = inputs[0];                                                   // [b, T, d]
        tracer.ExpectMinRank(x, 2, "input");
        var tokens = new Shape(x.Numel / Math.Max(x.Last, 1), x.Last);      // [b·T, d]
        tracer.Call("gate", Router, tokens);
        var share = Dispatch == MoeDispatch.Sparse ? (double)TopK / Experts : 1.0;
        for (var e = 0; e < Experts; e++)
            tracer.CallShared("experts." + e.ToString(CultureInfo.InvariantCulture), Expert, share, tokens);
        return x;
    }

    /// <summary>The MoE output only (<see cref="ApplyWithBalance"/> gives the balance value too).</summary>
    public Tensor Apply(ParamView p, Tensor x, ForwardContext ctx)
    {
        var r = ApplyWithBalance(p, x, ctx);
        r.BalanceLoss.Dispose();
        return r.Output;
    }

    /// <summary>Applies the layer (<c>gate.gate.weight</c>, <c>experts.&lt;e&gt;.w{1,2,3}.weight</c> under
    /// <paramref name="p"/>) to <paramref name="x"/> [b, T, d]: the output and the balance value. Routing decisions are
    /// traced under <paramref name="p"/>'s prefix (<c>routing.probs</c>, <c>.experts</c>, <c>.scores</c>, <c>.load</c>).</summary>
    public MoeResult ApplyWithBalance(ParamView p, Tensor x, ForwardContext ctx)
    {
        using var scope = Libtorch.NewScope();
        var shape = x.Shape;
        var tokens = x.Reshape(-1, shape[^1]);                                           // [n, d]
        var (probs, scores, idx) = Router.Route(p.At("gate"), tokens, ctx);
        var lb = BalanceLoss(probs);
        var path = p.Prefix;
        if (ctx.Trace is { } trace)
        {
            trace.Record(path, "routing.probs", probs);
            trace.Record(path, "routing.experts", idx);
            trace.Record(path, "routing.scores", scores);
        }
        var scoreSum = scores.Sum(-1, keepDim: true);                                    // Σ_k ŝ [n, 1]
        var used = idx.Flatten().ToArray<long>();                                         // −1: an empty slot
        var counts = new long[Experts];
        foreach (var e in used) if (e >= 0) counts[e]++;
        var output = Dispatch == MoeDispatch.Dense
            ? DenseExperts(p, tokens, idx, scores, scoreSum, counts, ctx)
            : SparseExperts(p, tokens, used, (int)idx.Size(1), scores, scoreSum, counts, ctx);
        if (ctx.Trace is { } t2) t2.Record(path, "routing.load", Tensor.From<long>(counts));
        return new MoeResult(output.Reshape(shape).MoveToOuterScope(), lb.MoveToOuterScope());
    }

    /// <summary>The balance value <c>Σ_e p̄_e·ln(p̄_e + 1e-8)</c> of routing probabilities [n, E].</summary>
    public static Tensor BalanceLoss(Tensor probs)
    {
        using var scope = Libtorch.NewScope();
        var mean = probs.Mean(0);                                                        // p̄ [E]
        return mean.Mul(mean.Add(BalanceEpsilon).Log()).Sum().MoveToOuterScope();
    }

    /// <summary>The official computation: each expert chosen by some token runs on every token, unrouted rows
    /// zeroed; outputs are weighted and accumulated in expert order.</summary>
    Tensor DenseExperts(ParamView p, Tensor tokens, Tensor idx, Tensor scores, Tensor scoreSum, long[] counts, ForwardContext ctx)
    {
        var expert = Expert;
        var output = Libtorch.ZerosLike(tokens);
        for (int e = 0; e < counts.Length; e++)
        {
            if (counts[e] == 0) continue;                                                 // selected by no token
            using var es = Libtorch.NewScope();
            var selected = idx.Eq(e);                                                     // [n, k] bool
            var routed = selected.Any(-1).Unsqueeze(-1).To(tokens.DType);                 // c_e(t) ∈ {0,1} [n, 1]
            var y = expert.Apply(p.At($"experts.{e}"), tokens.Mul(routed), ctx);
            var w = Combine == MoeCombine.Sum ? scoreSum : scores.Mul(selected.To(scores.DType)).Sum(-1, keepDim: true);
            output = output.Add(y.Mul(w)).MoveToOuterScope();
        }
        return output;
    }

    /// <summary>Each expert runs on its routed tokens only. The (token, expert) pairs are grouped by expert on the
    /// host (the routing is already there), so the whole layer is one gather, one contiguous slice per expert, one
    /// concatenation and one scatter-add — the same sums, in the same expert order, as a per-expert gather/scatter.</summary>
    Tensor SparseExperts(ParamView p, Tensor tokens, long[] used, int slotsPerToken, Tensor scores, Tensor scoreSum, long[] counts,
        ForwardContext ctx)
    {
        var expert = Expert;
        long total = counts.Sum();
        if (total == 0) return Libtorch.ZerosLike(tokens);                               // every slot empty
        var starts = new long[counts.Length];
        for (int e = 1; e < counts.Length; e++) starts[e] = starts[e - 1] + counts[e - 1];
        var next = (long[])starts.Clone();
        var rows = new long[total];                                                      // token of each pair, by expert
        var pairs = new long[total];                                                     // its position in [n·k]
        for (int i = 0; i < used.Length; i++)
        {
            if (used[i] < 0) continue;                                                    // an empty slot
            long slot = next[used[i]]++;
            rows[slot] = i / slotsPerToken;
            pairs[slot] = i;
        }
        var rowIdx = Tensor.From<long>(rows).OnDeviceOf(tokens);
        var gathered = tokens.IndexSelect(0, rowIdx);                                     // [n·k, d]
        var outputs = new List<Tensor>(counts.Length);
        for (int e = 0; e < counts.Length; e++)
        {
            if (counts[e] == 0) continue;                                                 // selected by no token
            outputs.Add(expert.Apply(p.At($"experts.{e}"), gathered.Narrow(0, starts[e], counts[e]), ctx));
        }
        var y = outputs.Count == 1 ? outputs[0] : Libtorch.Cat([.. outputs], 0);
        var w = Combine == MoeCombine.Sum
            ? scoreSum.IndexSelect(0, rowIdx)
            : scores.Flatten().IndexSelect(0, Tensor.From<long>(pairs).OnDeviceOf(tokens)).Unsqueeze(-1);
        var contributions = y.Mul(w);                                                     // bfloat16 under autocast
        if (contributions.DType != tokens.DType) contributions = contributions.To(tokens.DType);
        return Libtorch.ZerosLike(tokens).IndexAdd(0, rowIdx, contributions);
    }
}

/// <summary>Output of a mixture-of-experts layer.</summary>
/// <param name="Output">[b, T, d].</param>
/// <param name="BalanceLoss">Scalar <c>Σ_e p̄_e·ln(p̄_e + 1e-8)</c> (negative entropy of the mean routing).</param>
public sealed record MoeResult(Tensor Output, Tensor BalanceLoss);

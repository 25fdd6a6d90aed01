using Micar.Layers;
using Micar.Model;
using Micar.Torch;
using Micar.Nn;

namespace Micar.Blocks;


/// <summary>Output of a mixture-of-experts layer.</summary>
/// <param name="Output">[b, T, d].</param>
/// <param name="BalanceLoss">Scalar <c>Σ_e p̄_e·ln(p̄_e + 1e-8)</c> (negative entropy of the mean routing).</param>
public sealed record MoeResult(Tensor Output, Tensor BalanceLoss);

/// <summary>Mixture of gated-FFN experts with softmax top-k routing and the official load-balancing value.</summary>
public static class Moe
{
    /// <summary>Routing of flattened tokens: probabilities [n, E], top-k renormalised scores [n, k] and expert ids [n, k].</summary>
    public static (Tensor Probs, Tensor Scores, Tensor Experts) Route(Tensor gateWeight, Tensor tokens, int topK)
    {
        using var scope = Libtorch.NewScope();
        var probs = F.Linear(tokens, gateWeight).Softmax(-1);                          // [n, E]
        var (s, idx) = probs.TopK(topK, -1);
        var scores = s.Div(s.Sum(-1, keepDim: true));                                  // ŝ, renormalised
        return (probs.MoveToOuterScope(), scores.MoveToOuterScope(), idx.MoveToOuterScope());
    }

    /// <summary>The balance value <c>Σ_e p̄_e·ln(p̄_e + 1e-8)</c> of routing probabilities [n, E].</summary>
    public static Tensor BalanceLoss(Tensor probs)
    {
        using var scope = Libtorch.NewScope();
        var mean = probs.Mean(0);                                                        // p̄ [E]
        return mean.Mul(mean.Add(1e-8).Log()).Sum().MoveToOuterScope();
    }

    /// <summary>Applies the layer (<c>gate.gate.weight</c>, <c>experts.&lt;e&gt;.w{1,2,3}.weight</c> under <paramref name="p"/>)
    /// to <paramref name="x"/> [b, T, d].</summary>
    public static MoeResult Forward(ParamView p, Tensor x, int experts, int topK, MoeCombine combine,
        MoeDispatch dispatch, Func<Tensor, Tensor> act, double dropout, ForwardContext ctx, string path = "")
    {
        using var scope = Libtorch.NewScope();
        var shape = x.Shape;
        var tokens = x.Reshape(-1, shape[^1]);                                           // [n, d]
        var (probs, scores, idx) = Route(p["gate.gate.weight"], tokens, topK);
        var lb = BalanceLoss(probs);
        if (ctx.Trace is { } trace)
        {
            trace.Record(path, "routing.probs", probs);
            trace.Record(path, "routing.experts", idx);
            trace.Record(path, "routing.scores", scores);
        }
        var scoreSum = scores.Sum(-1, keepDim: true);                                    // Σ_k ŝ [n, 1]
        var used = idx.Flatten().ToArray<long>();
        var counts = new long[experts];
        foreach (var e in used) counts[e]++;
        var output = dispatch == MoeDispatch.Dense
            ? DenseExperts(p, tokens, idx, scores, scoreSum, counts, combine, act, dropout, ctx)
            : SparseExperts(p, tokens, used, scores, scoreSum, counts, topK, combine, act, dropout, ctx);
        if (ctx.Trace is { } t2) t2.Record(path, "routing.load", Tensor.From<long>(counts));
        return new MoeResult(output.Reshape(shape).MoveToOuterScope(), lb.MoveToOuterScope());
    }

    /// <summary>The official computation: each expert chosen by some token runs on every token, unrouted rows
    /// zeroed; outputs are weighted and accumulated in expert order.</summary>
    static Tensor DenseExperts(ParamView p, Tensor tokens, Tensor idx, Tensor scores, Tensor scoreSum, long[] counts,
        MoeCombine combine, Func<Tensor, Tensor> act, double dropout, ForwardContext ctx)
    {
        var output = Libtorch.ZerosLike(tokens);
        for (int e = 0; e < counts.Length; e++)
        {
            if (counts[e] == 0) continue;                                                 // selected by no token
            using var es = Libtorch.NewScope();
            var selected = idx.Eq(e);                                                     // [n, k] bool
            var routed = selected.Any(-1).Unsqueeze(-1).To(tokens.DType);                 // c_e(t) ∈ {0,1} [n, 1]
            var y = GatedFfn.Forward(p.At($"experts.{e}"), tokens.Mul(routed), act, dropout, ctx);
            var w = combine == MoeCombine.Sum ? scoreSum : scores.Mul(selected.To(scores.DType)).Sum(-1, keepDim: true);
            output = output.Add(y.Mul(w)).MoveToOuterScope();
        }
        return output;
    }

    /// <summary>Each expert runs on its routed tokens only. The (token, expert) pairs are grouped by expert on the
    /// host (the routing is already there), so the whole layer is one gather, one contiguous slice per expert, one
    /// concatenation and one scatter-add — the same sums, in the same expert order, as a per-expert gather/scatter.</summary>
    static Tensor SparseExperts(ParamView p, Tensor tokens, long[] used, Tensor scores, Tensor scoreSum, long[] counts,
        int topK, MoeCombine combine, Func<Tensor, Tensor> act, double dropout, ForwardContext ctx)
    {
        var starts = new long[counts.Length];
        for (int e = 1; e < counts.Length; e++) starts[e] = starts[e - 1] + counts[e - 1];
        var next = (long[])starts.Clone();
        var rows = new long[used.Length];                                                // token of each pair, by expert
        var pairs = new long[used.Length];                                               // its position in [n·k]
        for (int i = 0; i < used.Length; i++)
        {
            long slot = next[used[i]]++;
            rows[slot] = i / topK;
            pairs[slot] = i;
        }
        var rowIdx = Tensor.From<long>(rows).OnDeviceOf(tokens);
        var gathered = tokens.IndexSelect(0, rowIdx);                                     // [n·k, d]
        var outputs = new List<Tensor>(counts.Length);
        for (int e = 0; e < counts.Length; e++)
        {
            if (counts[e] == 0) continue;                                                 // selected by no token
            outputs.Add(GatedFfn.Forward(p.At($"experts.{e}"), gathered.Narrow(0, starts[e], counts[e]), act, dropout, ctx));
        }
        var y = outputs.Count == 1 ? outputs[0] : Libtorch.Cat([.. outputs], 0);
        var w = combine == MoeCombine.Sum
            ? scoreSum.IndexSelect(0, rowIdx)
            : scores.Flatten().IndexSelect(0, Tensor.From<long>(pairs).OnDeviceOf(tokens)).Unsqueeze(-1);
        var contributions = y.Mul(w);                                                     // bfloat16 under autocast
        if (contributions.DType != tokens.DType) contributions = contributions.To(tokens.DType);
        return Libtorch.ZerosLike(tokens).IndexAdd(0, rowIdx, contributions);
    }
}

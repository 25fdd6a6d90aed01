using Micar.Layers;
using Micar.Model;
using Micar.Torch;

namespace Micar.Blocks;

using Torch = Micar.Torch.Torch;

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
        using var scope = Torch.NewScope();
        var probs = F.Linear(tokens, gateWeight).Softmax(-1);                          // [n, E]
        var (s, idx) = probs.TopK(topK, -1);
        var scores = s.Div(s.Sum(-1, keepDim: true));                                  // ŝ, renormalised
        return (probs.MoveToOuterScope(), scores.MoveToOuterScope(), idx.MoveToOuterScope());
    }

    /// <summary>The balance value <c>Σ_e p̄_e·ln(p̄_e + 1e-8)</c> of routing probabilities [n, E].</summary>
    public static Tensor BalanceLoss(Tensor probs)
    {
        using var scope = Torch.NewScope();
        var mean = probs.Mean(0);                                                        // p̄ [E]
        return mean.Mul(mean.Add(1e-8).Log()).Sum().MoveToOuterScope();
    }

    /// <summary>Applies the layer (<c>gate.gate.weight</c>, <c>experts.&lt;e&gt;.w{1,2,3}.weight</c> under <paramref name="p"/>)
    /// to <paramref name="x"/> [b, T, d].</summary>
    public static MoeResult Forward(ParamView p, Tensor x, int experts, int topK, MoeCombine combine,
        MoeDispatch dispatch, Func<Tensor, Tensor> act, double dropout, ForwardContext ctx, string path = "")
    {
        using var scope = Torch.NewScope();
        var shape = x.Shape;
        var tokens = x.Reshape(-1, shape[^1]);                                           // [n, d]
        long n = tokens.Size(0);
        var (probs, scores, idx) = Route(p["gate.gate.weight"], tokens, topK);
        var lb = BalanceLoss(probs);
        if (ctx.Trace is { } trace)
        {
            trace.Record(path, "routing.probs", probs);
            trace.Record(path, "routing.experts", idx);
            trace.Record(path, "routing.scores", scores);
        }
        var scoreSum = scores.Sum(-1, keepDim: true);                                    // Σ_k ŝ [n, 1]
        var output = Torch.ZerosLike(tokens);
        var used = idx.Flatten().ToArray<long>();
        var counts = new long[experts];
        foreach (var e in used) counts[e]++;
        for (int e = 0; e < experts; e++)
        {
            if (counts[e] == 0) continue;                                                 // selected by no token
            using var es = Torch.NewScope();
            var selected = idx.Eq(e);                                                     // [n, k] bool
            var expert = p.At($"experts.{e}");
            if (dispatch == MoeDispatch.Dense)
            {
                var routed = selected.Any(-1).Unsqueeze(-1).To(tokens.DType);             // c_e(t) ∈ {0,1} [n, 1]
                var y = GatedFfn.Forward(expert, tokens.Mul(routed), act, dropout, ctx);
                var w = combine == MoeCombine.Sum ? scoreSum : scores.Mul(selected.To(scores.DType)).Sum(-1, keepDim: true);
                output = output.Add(y.Mul(w)).MoveToOuterScope();
            }
            else
            {
                var rows = selected.Any(-1).Nonzero().Squeeze(-1);                        // token ids routed to e
                var y = GatedFfn.Forward(expert, tokens.IndexSelect(0, rows), act, dropout, ctx);
                var w = combine == MoeCombine.Sum
                    ? scoreSum.IndexSelect(0, rows)
                    : scores.Mul(selected.To(scores.DType)).Sum(-1, keepDim: true).IndexSelect(0, rows);
                output = output.IndexAdd(0, rows, y.Mul(w)).MoveToOuterScope();
            }
        }
        if (ctx.Trace is { } t2) t2.Record(path, "routing.load", Tensor.From<long>(counts));
        return new MoeResult(output.Reshape(shape).MoveToOuterScope(), lb.MoveToOuterScope());
    }
}

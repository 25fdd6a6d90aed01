using Micar.Model;
using Micar.Torch;
using Micar.Nn;

namespace Micar.Blocks;


/// <summary>
/// Gated fusion of text and image as the official code computes it (§4.8 of the reference):
/// <c>a = CrossAttn(norm1 x, norm2 E) + x</c>; <c>g = global_proj([mean(norm2 E), max(norm2 E)])</c>;
/// <c>γ = σ(gate([norm3 a, norm1 x]))</c>; <c>m = γ·norm3 a + (1−γ)·norm1 x</c>;
/// <c>out = Dropout(fusion.3(Dropout(act(fusion.0([m, norm3 a, g]))))) + a</c>.
/// </summary>
public static class GatedFusion
{
    /// <summary>Applies the block to text <paramref name="x"/> [b, T, d] and encoder output <paramref name="e"/> [b, N, d].</summary>
    public static Tensor Forward(ParamView p, Tensor x, Tensor e, MdlaConfig attention, Func<Tensor, Tensor> act,
        double dropout, ForwardContext ctx, string path = "", AttentionCache? cache = null, long queryOffset = 0)
    {
        using var scope = Libtorch.NewScope();
        var nx = RmsNorm.Forward(x, p["norm1.weight"]);
        // With a filled cache the image's keys, values and global vector are reused and the image is not read.
        Tensor g;
        Tensor? ne = null;
        if (cache is { Length: > 0, Extra: not null })
            g = cache.Extra;
        else
        {
            ne = RmsNorm.Forward(e, p["norm2.weight"]);
            var pooled = Libtorch.Cat([ne.Mean(1, keepDim: true), ne.Amax(1, keepDim: true)], -1);       // [b, 1, 2d]
            g = F.Linear(pooled, p["global_proj.weight"], p["global_proj.bias"]);                       // [b, 1, d]
            cache?.SetExtra(g.Alias());
        }
        var a = Mdla.CrossAttention(p.At("cross_attention"), nx, ne, attention, ctx, path + ".cross_attention", cache, queryOffset).Add(x);
        var na = RmsNorm.Forward(a, p["norm3.weight"]);
        var gateIn = Libtorch.Cat([na, nx], -1);
        var gamma = F.Linear(act(F.Linear(gateIn, p["gate.0.weight"], p["gate.0.bias"])), p["gate.2.weight"], p["gate.2.bias"]).Sigmoid();
        ctx.Trace?.Record(path, "gate", gamma);
        var m = gamma.Mul(na).Add((1.0 - gamma).Mul(nx));
        var c = Libtorch.Cat([m, na, g.Expand(-1, na.Size(1), -1)], -1);                                 // [b, T, 3d]
        var h = ctx.Dropout(act(F.Linear(c, p["fusion.0.weight"], p["fusion.0.bias"])), dropout);
        var o = ctx.Dropout(F.Linear(h, p["fusion.3.weight"], p["fusion.3.bias"]), dropout);
        return o.Add(a).MoveToOuterScope();
    }
}

using Micar.Model;
using Micar.Torch;
using Micar.Nn;

namespace Micar.Blocks;


/// <summary>The gated, bias-free feed-forward network of the encoder and of every MoE expert:
/// <c>Dropout(w2(act(w1·x) ⊙ (w3·x)))</c>.</summary>
public static class GatedFfn
{
    /// <summary>Applies the FFN whose weights are <c>w1.weight</c>, <c>w2.weight</c>, <c>w3.weight</c> under <paramref name="p"/>.</summary>
    public static Tensor Forward(ParamView p, Tensor x, Func<Tensor, Tensor> act, double dropout, ForwardContext ctx)
    {
        using var scope = Libtorch.NewScope();
        var h = act(F.Linear(x, p["w1.weight"])).Mul(F.Linear(x, p["w3.weight"]));   // [.., d_ff]
        var y = F.Linear(h, p["w2.weight"]);                                           // [.., d]
        return ctx.Dropout(y, dropout).MoveToOuterScope();
    }
}

using Micar.Torch;
using Micar.Nn;
namespace Micar.Layers;

/// <summary>
/// Pre-norm decoder block (§4.10), inputs <c>x [b, T, d]</c>, encoder output <c>E [b, N, d]</c> and optional
/// causal/pad mask <c>[b, T, T]</c> → <c>[b, T, d]</c> (plus the MoE balance value when the feed-forward is a MoE):
/// <code>
/// h1 = x + self_attention(norm_sa(x), mask)
/// h2 = h1 + gated_fusion(h1, E)          // GatedFusion already adds h1 inside
/// out = h2 + feed_forward(norm(h2))
/// </code>
/// Keys: <c>norm_sa</c>, <c>self_attention</c>, <c>gated_fusion</c>, then <c>norm_moe</c>/<c>moe</c> when the
/// feed-forward is a <see cref="Moe"/> (official), or <c>norm_ff</c>/<c>ff</c> otherwise (the "w/o MoE" ablation).
/// </summary>
/// <param name="NormSa">Norm before the self-attention.</param>
/// <param name="SelfAttention">The masked self-attention.</param>
/// <param name="GatedFusion">Fusion with the image tokens.</param>
/// <param name="NormFf">Norm before the feed-forward.</param>
/// <param name="FeedForward">A <see cref="Moe"/> or a dense feed-forward (e.g. <see cref="GatedFfn"/>).</param>
public sealed record DecoderBlock(RmsNorm NormSa, MdlaSelfAttention SelfAttention, GatedFusion GatedFusion, RmsNorm NormFf, ILayer FeedForward) : ILayer
{
    /// <summary>The block of the official decoder.</summary>
    public static DecoderBlock Create(MdlaSelfAttention attention, GatedFusion fusion, ILayer feedForward) =>
        new(new RmsNorm(attention.DModel), attention, fusion, new RmsNorm(attention.DModel), feedForward);

    /// <inheritdoc/>
    public string Kind => "DecoderBlock";

    /// <summary>Model width (that of the attention).</summary>
    public int DModel => SelfAttention.DModel;

    /// <summary>True when the feed-forward is a mixture of experts.</summary>
    public bool IsMoe => FeedForward is Moe;

    /// <summary>Key of the feed-forward norm: <c>norm_moe</c> or <c>norm_ff</c>.</summary>
    public string NormFfName => IsMoe ? "norm_moe" : "norm_ff";

    /// <summary>Key of the feed-forward: <c>moe</c> or <c>ff</c>.</summary>
    public string FeedForwardName => IsMoe ? "moe" : "ff";

    /// <inheritdoc/>
    public IReadOnlyList<ParamInfo> Tensors => [];

    /// <inheritdoc/>
    public IReadOnlyList<NamedLayer> Children =>
    [
        new("norm_sa", NormSa), new("self_attention", SelfAttention), new("gated_fusion", GatedFusion),
        new(NormFfName, NormFf), new(FeedForwardName, FeedForward),
    ];

    /// <inheritdoc/>
    public IEnumerable<string> CheckFields()
    {
        if (NormSa.Dim != DModel) yield return $"DecoderBlock.NormSa.Dim {NormSa.Dim} does not match SelfAttention.DModel {DModel}";
        if (NormFf.Dim != DModel) yield return $"DecoderBlock.NormFf.Dim {NormFf.Dim} does not match SelfAttention.DModel {DModel}";
        if (GatedFusion.DModel != DModel)
            yield return $"DecoderBlock.GatedFusion.DModel {GatedFusion.DModel} does not match SelfAttention.DModel {DModel}";
        switch (FeedForward)
        {
            case Moe m when m.DModel != DModel:
                yield return $"DecoderBlock.FeedForward.DModel {m.DModel} does not match SelfAttention.DModel {DModel}";
                break;
            case GatedFfn f when f.DModel != DModel:
                yield return $"DecoderBlock.FeedForward.DModel {f.DModel} does not match SelfAttention.DModel {DModel}";
                break;
        }
    }

    /// <inheritdoc/>
    public Shape Trace(ShapeTracer tracer, IReadOnlyList<Shape> inputs)
    {
        tracer.ExpectInputs(inputs, 2, 3);
        var x = inputs[0];
        var n = tracer.Call("norm_sa", NormSa, x);
        tracer.Call("self_attention", SelfAttention, inputs.Count == 3 ? [n, inputs[2]] : [n]);
        tracer.Call("gated_fusion", GatedFusion, x, inputs[1]);
        var y = tracer.Call(FeedForwardName, FeedForward, tracer.Call(NormFfName, NormFf, x));
        if (y != x) throw tracer.Error($"feed-forward output {y} does not match its input {x}");
        return x;
    }

    /// <summary>Runs the block on text <paramref name="x"/> [b, T, d] against image tokens <paramref name="memory"/>
    /// [b, N, d] with an optional int mask [b, T, T + cached] (0 = blocked). With a <paramref name="cache"/>,
    /// <paramref name="x"/> holds only the next positions (rope positions from <paramref name="offset"/>) and the cache is
    /// extended. Returns the output and, when the feed-forward is a <see cref="Moe"/>, its balance value.</summary>
    public (Tensor Output, Tensor? BalanceLoss) Apply(ParamView p, Tensor x, Tensor? memory, Tensor? mask, ForwardContext ctx,
        DecoderBlockCache? cache = null, long offset = 0)
    {
        using var scope = Libtorch.NewScope();
        var h1 = x.Add(SelfAttention.Apply(p.At("self_attention"), NormSa.Apply(p.At("norm_sa"), x, ctx), mask, ctx, cache?.Self));
        var h2 = h1.Add(GatedFusion.Apply(p.At("gated_fusion"), h1, memory, ctx, cache?.Cross, offset));
        var normed = NormFf.Apply(p.At(NormFfName), h2, ctx);
        if (FeedForward is Moe moe)
        {
            var r = moe.ApplyWithBalance(p.At(FeedForwardName), normed, ctx);
            return (h2.Add(r.Output).MoveToOuterScope(), r.BalanceLoss.MoveToOuterScope());
        }
        var y = Module.Runnable(FeedForward, "DecoderBlock.FeedForward").Apply(p.At(FeedForwardName), normed, ctx);
        return (h2.Add(y).MoveToOuterScope(), null);
    }
}

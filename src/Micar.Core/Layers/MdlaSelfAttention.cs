using Micar.Nn;
using Micar.Torch;

namespace Micar.Layers;

/// <summary>
/// MDLA self-attention (<c>MHLAttention</c>, §4.5): <c>[b, S, DModel]</c> (+ optional mask <c>[b, S, S]</c>,
/// 0 = blocked, scores replaced by −1e9) → <c>[b, S, DModel]</c>. Children <c>qkv_down_norm_up</c>
/// (Linear DModel→3·DownDim, RmsNorm(3·DownDim), Linear 3·DownDim→3·LatentDim; q, k, v are consecutive
/// chunks of LatentDim), <c>rope</c>, <c>wo</c>. See <see cref="Mdla"/> for the head layout and scaling.
/// </summary>
public sealed record MdlaSelfAttention(
    int DModel, int Heads, int LatentDim, int QkNopeDim, int QkRopeDim, double AttentionDropout = 0,
    AttentionScale Scale = AttentionScale.PerHead, WeightInit Init = WeightInit.TorchDefault)
    : Mdla(DModel, Heads, LatentDim, QkNopeDim, QkRopeDim, AttentionDropout, Scale, Init), IModule
{
    /// <inheritdoc/>
    public override string Kind => "MdlaSelfAttention";

    /// <summary>The fused q/k/v projection path.</summary>
    public Sequential QkvDownNormUp => DownNormUp(3 * DownDim, 3 * LatentDim);

    /// <inheritdoc/>
    public override IReadOnlyList<NamedLayer> Children =>
        [new("qkv_down_norm_up", QkvDownNormUp), new("rope", Rope), new("wo", Wo)];

    /// <inheritdoc/>
    public override Shape Trace(ShapeTracer tracer, IReadOnlyList<Shape> inputs)
    {
        tracer.ExpectInputs(inputs, 1, 2);
        var x = inputs[0];                                              // [b, S, d]
        tracer.ExpectRank(x, 3, "input");
        var (b, s) = (x[0], x[1]);
        if (inputs.Count == 2 && (inputs[1].Rank < 2 || inputs[1][-1] != s || inputs[1][-2] != s))
            throw tracer.Error($"mask {inputs[1]} must end in [{s}, {s}] for input {x}");
        tracer.Call("qkv_down_norm_up", QkvDownNormUp, x);              // [b, S, 3L]
        TraceHeads(tracer, b, s, s);
        return tracer.Call("wo", Wo, new Shape(b, s, LatentDim));       // [b, S, d]
    }

    /// <summary>Unmasked self-attention over <paramref name="x"/> [b, S, d].</summary>
    public Tensor Apply(ParamView p, Tensor x, ForwardContext ctx) => Apply(p, x, null, ctx);

    /// <summary>Self-attention over <paramref name="x"/> [b, S, d] with an optional int mask [b, S, S] (0 = blocked).
    /// With a <paramref name="cache"/>, x holds only the new positions: their rope positions continue after the cached
    /// ones and they attend to cached keys too. Attention maps are traced under <paramref name="p"/>'s prefix.</summary>
    public Tensor Apply(ParamView p, Tensor x, Tensor? mask, ForwardContext ctx, AttentionCache? cache = null)
    {
        using var scope = Libtorch.NewScope();
        var z = QkvDownNormUp.Apply(p.At("qkv_down_norm_up"), x, ctx);          // [b, S, 3L]
        var qkv = z.Chunk(3, -1);
        long offset = cache?.Length ?? 0;
        var freqs = p["rope.freqs"];
        var (qn, qr) = SplitRope(SplitHeads(qkv[0], Heads), freqs, offset);
        var (kn, kr) = SplitRope(SplitHeads(qkv[1], Heads), freqs, offset);
        var v = SplitHeads(qkv[2], Heads);                                      // [b, H, S, dh]
        if (cache is not null)
        {
            cache.Append(kn, kr, v);
            (kn, kr, v) = (cache.KeyNope!, cache.KeyRope!, cache.Value!);
        }
        var o = Attend(qn, qr, kn, kr, v, mask, ctx, p.Prefix);
        return Wo.Apply(p.At("wo"), MergeHeads(o), ctx).MoveToOuterScope();
    }
}

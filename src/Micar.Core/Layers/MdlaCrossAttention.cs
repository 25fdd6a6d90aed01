using Micar.Nn;
using Micar.Torch;

namespace Micar.Layers;

/// <summary>
/// MDLA cross-attention (<c>CMHLAttention</c>, §4.7): queries from the text <c>[b, T, DModel]</c>, keys and values
/// from the image tokens <c>[b, N, DModel]</c>, no mask → <c>[b, T, DModel]</c>. Children <c>q_down_norm_up</c>
/// (DModel→DownDim→LatentDim), <c>kv_down_norm_up</c> (DModel→2·DownDim→2·LatentDim; k first, v second),
/// <c>rope</c> (text positions 0…T−1, image keys at their raster index 0…N−1), <c>wo</c>.
/// </summary>
public sealed record MdlaCrossAttention(
    int DModel, int Heads, int LatentDim, int QkNopeDim, int QkRopeDim, double AttentionDropout = 0,
    AttentionScale Scale = AttentionScale.PerHead, WeightInit Init = WeightInit.TorchDefault)
    : Mdla(DModel, Heads, LatentDim, QkNopeDim, QkRopeDim, AttentionDropout, Scale, Init)
{
    /// <inheritdoc/>
    public override string Kind => "MdlaCrossAttention";

    /// <summary>The query projection path (applied to the text).</summary>
    public Sequential QDownNormUp => DownNormUp(DownDim, LatentDim);

    /// <summary>The key/value projection path (applied to the image tokens).</summary>
    public Sequential KvDownNormUp => DownNormUp(2 * DownDim, 2 * LatentDim);

    /// <inheritdoc/>
    public override IReadOnlyList<NamedLayer> Children =>
        [new("q_down_norm_up", QDownNormUp), new("kv_down_norm_up", KvDownNormUp), new("rope", Rope), new("wo", Wo)];

    /// <inheritdoc/>
    public override Shape Trace(ShapeTracer tracer, IReadOnlyList<Shape> inputs)
    {
        tracer.ExpectInputs(inputs, 2);
        var (x, e) = (inputs[0], inputs[1]);                            // [b, T, d], [b, N, d]
        tracer.ExpectRank(x, 3, "query input");
        tracer.ExpectRank(e, 3, "key/value input");
        if (e[0] != x[0]) throw tracer.Error($"key/value batch {e[0]} differs from query batch {x[0]}");
        tracer.Call("q_down_norm_up", QDownNormUp, x);                  // [b, T, L]
        tracer.Call("kv_down_norm_up", KvDownNormUp, e);                // [b, N, 2L]
        TraceHeads(tracer, x[0], x[1], e[1]);
        return tracer.Call("wo", Wo, new Shape(x[0], x[1], LatentDim)); // [b, T, d]
    }

    /// <summary>Cross-attention from text <paramref name="x"/> [b, T, d] to image tokens <paramref name="memory"/>
    /// [b, N, d] (no mask; image keys at raster positions 0…N−1). With a <paramref name="cache"/>, the image keys
    /// and values are computed on the first call and reused (later calls do not read <paramref name="memory"/>, which
    /// may then be null); <paramref name="queryOffset"/> is the rope position of the first query.</summary>
    public Tensor Apply(ParamView p, Tensor x, Tensor? memory, ForwardContext ctx, AttentionCache? cache = null, long queryOffset = 0)
    {
        using var scope = Libtorch.NewScope();
        var freqs = p["rope.freqs"];
        var (qn, qr) = SplitRope(SplitHeads(QDownNormUp.Apply(p.At("q_down_norm_up"), x, ctx), Heads), freqs, queryOffset);
        Tensor kn, kr, v;
        if (cache is { Length: > 0 })
            (kn, kr, v) = (cache.KeyNope!, cache.KeyRope!, cache.Value!);
        else
        {
            if (memory is null) throw new ArgumentNullException(nameof(memory), "cross-attention needs the image memory until its cache is filled");
            var kvz = KvDownNormUp.Apply(p.At("kv_down_norm_up"), memory, ctx).Chunk(2, -1);
            (kn, kr) = SplitRope(SplitHeads(kvz[0], Heads), freqs, 0);
            v = SplitHeads(kvz[1], Heads);
            cache?.Set(kn.Alias(), kr.Alias(), v.Alias());
        }
        var o = Attend(qn, qr, kn, kr, v, null, ctx, p.Prefix);
        return Wo.Apply(p.At("wo"), MergeHeads(o), ctx).MoveToOuterScope();
    }
}

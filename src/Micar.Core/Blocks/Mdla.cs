using Micar.Model;
using Micar.Torch;
using Micar.Nn;

namespace Micar.Blocks;


/// <summary>Hyperparameters an MDLA module needs at run time.</summary>
/// <param name="Heads">H.</param>
/// <param name="QkNopeDim">Per-head width of the no-position branch.</param>
/// <param name="QkRopeDim">Per-head width of the rope branch (only the first 2·len(freqs) features rotate).</param>
/// <param name="ScaleDenominator">Scores are divided by this: √(nope+rope) in the official code, √d_latent in the paper.</param>
/// <param name="AttentionDropout">Dropout on the attention probabilities (training only).</param>
public readonly record struct MdlaConfig(int Heads, int QkNopeDim, int QkRopeDim, double ScaleDenominator, double AttentionDropout);

/// <summary>Keys (no-position and rotated parts) and values of one attention module, kept between decoding steps.</summary>
public sealed class AttentionCache : IDisposable
{
    /// <summary>No-position key part [b, H, S, nope].</summary>
    public Tensor? KeyNope { get; private set; }
    /// <summary>Rotated key part [b, H, S, rope].</summary>
    public Tensor? KeyRope { get; private set; }
    /// <summary>Values [b, H, S, dh].</summary>
    public Tensor? Value { get; private set; }
    /// <summary>Per-row state of the block that owns the cache, computed once from the image like the keys (gated
    /// fusion: its global image vector [b, 1, d]); reordered with them.</summary>
    public Tensor? Extra { get; private set; }
    /// <summary>Number of cached positions.</summary>
    public long Length => KeyNope?.Size(2) ?? 0;

    internal void SetExtra(Tensor extra)
    {
        var old = Extra;
        Extra = extra.DetachFromScope();
        old?.Dispose();
    }

    internal void Append(Tensor kn, Tensor kr, Tensor v)
    {
        if (KeyNope is null) { Set(kn.Alias(), kr.Alias(), v.Alias()); return; }
        Set(Libtorch.Cat([KeyNope, kn], 2), Libtorch.Cat([KeyRope!, kr], 2), Libtorch.Cat([Value!, v], 2));
    }

    internal void Set(Tensor kn, Tensor kr, Tensor v)
    {
        var old = (KeyNope, KeyRope, Value);
        KeyNope = kn.DetachFromScope(); KeyRope = kr.DetachFromScope(); Value = v.DetachFromScope();
        old.KeyNope?.Dispose(); old.KeyRope?.Dispose(); old.Value?.Dispose();
    }

    /// <summary>Keeps only the batch rows <paramref name="rows"/> (beam reordering).</summary>
    public void Reorder(Tensor rows)
    {
        if (Extra is not null) SetExtra(Extra.IndexSelect(0, rows));
        if (KeyNope is null) return;
        Set(KeyNope.IndexSelect(0, rows), KeyRope!.IndexSelect(0, rows), Value!.IndexSelect(0, rows));
    }

    /// <summary>Releases the cached tensors.</summary>
    public void Dispose()
    {
        KeyNope?.Dispose(); KeyRope?.Dispose(); Value?.Dispose(); Extra?.Dispose();
        KeyNope = KeyRope = Value = Extra = null;
    }
}

/// <summary>
/// Multi-head dual-branch latent attention (MDLA) exactly as the official code computes it: low-rank
/// down-projection, one RMSNorm over the joint latent, up-projection to d_latent per q/k/v; strided head split
/// (head index fastest), per head a no-position branch and a rope branch whose scores are summed, scaled,
/// masked by replacement with −1e9, softmax, dropout, head-major merge, output projection <c>wo</c>.
/// </summary>
public static class Mdla
{
    /// <summary><c>b s (d h) → b h s d</c>: head h takes features h, h+H, h+2H, …</summary>
    public static Tensor SplitHeads(Tensor t, int heads)
    {
        var s = t.Shape;
        using var v = t.View(s[0], s[1], s[2] / heads, heads);
        return v.Permute(0, 3, 1, 2);
    }

    /// <summary><c>b h s d → b s (h d)</c>: plain concatenation of heads.</summary>
    public static Tensor MergeHeads(Tensor o)
    {
        var s = o.Shape;
        using var p = o.Permute(0, 2, 1, 3);
        return p.Reshape(s[0], s[2], s[1] * s[3]);
    }

    static Tensor DownNormUp(ParamView p, Tensor x) =>
        F.Linear(RmsNorm.Forward(F.Linear(x, p["0.weight"]), p["1.weight"]), p["2.weight"]);

    /// <summary>Self-attention over <paramref name="x"/> [b, S, d] with an optional int mask [b, S, S]
    /// (0 = blocked). With a <paramref name="cache"/>, x holds only the new positions: their rope positions
    /// continue after the cached ones and they attend to cached keys too.</summary>
    public static Tensor SelfAttention(ParamView p, Tensor x, Tensor? mask, MdlaConfig c, ForwardContext ctx,
        string path = "", AttentionCache? cache = null)
    {
        using var scope = Libtorch.NewScope();
        var z = DownNormUp(p.At("qkv_down_norm_up"), x);                       // [b, S, 3L]
        var qkv = z.Chunk(3, -1);
        long offset = cache?.Length ?? 0;
        var (qn, qr) = SplitRope(SplitHeads(qkv[0], c.Heads), c, p["rope.freqs"], offset);
        var (kn, kr) = SplitRope(SplitHeads(qkv[1], c.Heads), c, p["rope.freqs"], offset);
        var v = SplitHeads(qkv[2], c.Heads);                                     // [b, H, S, dh]
        if (cache is not null)
        {
            cache.Append(kn, kr, v);
            (kn, kr, v) = (cache.KeyNope!, cache.KeyRope!, cache.Value!);
        }
        var o = Attend(qn, qr, kn, kr, v, mask, c, ctx, path);
        return F.Linear(MergeHeads(o), p["wo.weight"]).MoveToOuterScope();
    }

    /// <summary>Cross-attention from text <paramref name="x"/> [b, T, d] to image tokens <paramref name="memory"/>
    /// [b, N, d] (no mask; image keys at raster positions 0…N−1). With a <paramref name="cache"/>, the image keys
    /// and values are computed on the first call and reused (later calls do not read <paramref name="memory"/>, which
    /// may then be null); <paramref name="queryOffset"/> is the rope position of the first query.</summary>
    public static Tensor CrossAttention(ParamView p, Tensor x, Tensor? memory, MdlaConfig c, ForwardContext ctx,
        string path = "", AttentionCache? cache = null, long queryOffset = 0)
    {
        using var scope = Libtorch.NewScope();
        var freqs = p["rope.freqs"];
        var (qn, qr) = SplitRope(SplitHeads(DownNormUp(p.At("q_down_norm_up"), x), c.Heads), c, freqs, queryOffset);
        Tensor kn, kr, v;
        if (cache is { Length: > 0 })
            (kn, kr, v) = (cache.KeyNope!, cache.KeyRope!, cache.Value!);
        else
        {
            if (memory is null) throw new ArgumentNullException(nameof(memory), "cross-attention needs the image memory until its cache is filled");
            var kvz = DownNormUp(p.At("kv_down_norm_up"), memory).Chunk(2, -1);
            (kn, kr) = SplitRope(SplitHeads(kvz[0], c.Heads), c, freqs, 0);
            v = SplitHeads(kvz[1], c.Heads);
            cache?.Set(kn.Alias(), kr.Alias(), v.Alias());
        }
        var o = Attend(qn, qr, kn, kr, v, null, c, ctx, path);
        return F.Linear(MergeHeads(o), p["wo.weight"]).MoveToOuterScope();
    }

    static (Tensor Nope, Tensor Rope) SplitRope(Tensor h, MdlaConfig c, Tensor freqs, long offset)
    {
        long dh = h.Size(-1);
        if (dh != c.QkNopeDim + c.QkRopeDim)
            throw new ArgumentException($"per-head width {dh} ≠ qk_nope_dim {c.QkNopeDim} + qk_rope_dim {c.QkRopeDim}");
        return (h.Narrow(-1, 0, c.QkNopeDim), Rope.Apply(h.Narrow(-1, c.QkNopeDim, c.QkRopeDim), freqs, offset));
    }

    static Tensor Attend(Tensor qn, Tensor qr, Tensor kn, Tensor kr, Tensor v, Tensor? mask, MdlaConfig c,
        ForwardContext ctx, string path)
    {
        // [b, H, Sq, Sk]: the two branches' dot products are computed separately and summed, then scaled.
        // One query per row (a decoding step): broadcast products summed over the feature axis instead of batched
        // matrix products, which libtorch's CPU bmm runs as one small GEMM call per (row, head) — 12 to 200 calls
        // of a few flops each per step. Same sums, in another order (differences ~1e-7).
        bool single = qn.Size(-2) == 1;
        var scores = single
            ? qn.Mul(kn).Sum(-1).Add(qr.Mul(kr).Sum(-1)).Div(c.ScaleDenominator).Unsqueeze(-2)
            : qn.Matmul(kn.Transpose(-2, -1)).Add(qr.Matmul(kr.Transpose(-2, -1))).Div(c.ScaleDenominator);
        if (mask is not null)
        {
            var m = mask.Dim == 3 ? mask.Unsqueeze(1) : mask;
            if (m.Size(-2) != scores.Size(-2)) m = m.Narrow(-2, m.Size(-2) - scores.Size(-2), scores.Size(-2));
            scores = scores.MaskedFill(m.Eq(0), -1e9);
        }
        var probs = ctx.Dropout(scores.Softmax(-1), c.AttentionDropout);
        ctx.Trace?.Record(path, "attention", probs);
        return single ? probs.Transpose(-2, -1).Mul(v).Sum(-2, keepDim: true) : probs.Matmul(v);   // [b, H, Sq, dh]
    }
}

using Micar.Torch;

namespace Micar.Layers;

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

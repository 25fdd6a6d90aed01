using Micar.Torch;

namespace Micar.Layers;

/// <summary>What one <see cref="DecoderBlock"/> keeps between decoding steps: its self-attention keys and values, and
/// the image state of its gated fusion (cross-attention keys and values, the global image vector).</summary>
public sealed class DecoderBlockCache : IDisposable
{
    /// <summary>The self-attention cache.</summary>
    public AttentionCache Self { get; } = new();

    /// <summary>The gated fusion's cross-attention cache.</summary>
    public AttentionCache Cross { get; } = new();

    /// <summary>Releases the cached tensors.</summary>
    public void Dispose()
    {
        Self.Dispose();
        Cross.Dispose();
    }
}

/// <summary>The caches of every block of a <see cref="Decoder"/> for incremental decoding.</summary>
public sealed class DecoderCache : IDisposable
{
    /// <summary>An empty cache for a decoder of <paramref name="layers"/> blocks.</summary>
    public DecoderCache(int layers) => Blocks = Enumerable.Range(0, layers).Select(_ => new DecoderBlockCache()).ToArray();

    /// <summary>One cache per block, in order.</summary>
    public IReadOnlyList<DecoderBlockCache> Blocks { get; }

    /// <summary>Number of decoded positions held.</summary>
    public long Length => Blocks.Count == 0 ? 0 : Blocks[0].Self.Length;

    /// <summary>Keeps batch rows <paramref name="rows"/> (in that order), e.g. when beams are reordered. Pass
    /// <paramref name="crossAttention"/> false when every position keeps a row of the same image as before (beams
    /// reordered among the beams of each image): the image's cross-attention state is then already in place.</summary>
    public void Reorder(Tensor rows, bool crossAttention = true)
    {
        foreach (var b in Blocks) b.Self.Reorder(rows);
        if (!crossAttention) return;
        foreach (var b in Blocks) b.Cross.Reorder(rows);
    }

    /// <summary>Releases the cached tensors.</summary>
    public void Dispose()
    {
        foreach (var b in Blocks) b.Dispose();
    }
}

using Micar.Torch;

namespace Micar.Layers;


/// <summary>Attention masks of the official code.</summary>
public static class Masks
{
    /// <summary>Causal mask [b, S, S] (int64; 1 = may attend): query i sees key j iff j ≤ i and key j is not padding.
    /// Made on <paramref name="device"/> (default: the pad mask's, else the CPU).</summary>
    public static Tensor Causal(long batch, long length, Tensor? padMask = null, Device? device = null)
    {
        using var scope = Libtorch.NewScope();
        var tri = Libtorch.Ones([length, length], DType.Int64, device ?? padMask?.Device).Tril().Unsqueeze(0).Expand(batch, -1, -1);
        var m = padMask is null ? tri.Contiguous() : tri.Mul(padMask.Ne(0).Long().Unsqueeze(1));
        return m.MoveToOuterScope();
    }
}

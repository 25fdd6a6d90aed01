using Micar.Torch;

namespace Micar.Blocks;

using Torch = Micar.Torch.Torch;

/// <summary>
/// Rotary position embedding as rotary-embedding-torch 0.8.6 applies it in the official code: angles
/// <c>θ = p·f_j</c> (float32), each repeated twice, GPT-J (interleaved) pairs, and only the first
/// <c>2·len(freqs)</c> features rotated — the rest of the rope part passes through unchanged.
/// </summary>
public static class Rope
{
    /// <summary>The frequencies <c>10000^(−2j/dim)</c>, j = 0…dim/2−1, for a rotary dimension <paramref name="dim"/>.</summary>
    public static Tensor Frequencies(int dim, double theta = 10000)
    {
        using var scope = Torch.NewScope();
        var j = Torch.Arange(0, dim, 2, DType.Float32).Narrow(0, 0, dim / 2);
        var f = Torch.Full([dim / 2], theta).Pow(j.Div(dim)).Reciprocal();
        return f.MoveToOuterScope();
    }

    /// <summary>Rotates <paramref name="x"/> [.., S, D] at positions offset…offset+S−1 with <paramref name="freqs"/> [F].</summary>
    public static Tensor Apply(Tensor x, Tensor freqs, long offset = 0)
    {
        using var scope = Torch.NewScope();
        long s = x.Size(-2), d = x.Size(-1), rot = 2 * freqs.Size(0);
        if (rot > d) throw new ArgumentException($"rope rotates {rot} features but the input has only {d}");
        var pos = Torch.Arange(offset, offset + s, dtype: DType.Float32);                       // [S]
        var angles = pos.Unsqueeze(1).Mul(freqs.Unsqueeze(0));                                  // [S, F]
        angles = angles.Unsqueeze(-1).Expand(-1, -1, 2).Reshape(s, rot);                        // [S, 2F] θ0,θ0,θ1,θ1…
        var xr = x.Narrow(-1, 0, rot);
        var shape = xr.Shape;
        var pairs = xr.Reshape([.. shape[..^1], rot / 2, 2]);
        var x0 = pairs.Select(-1, 0);
        var x1 = pairs.Select(-1, 1);
        var rotated = Torch.Stack([x1.Neg(), x0], -1).Reshape(shape);                           // (−x1, x0)
        var outRot = xr.Mul(angles.Cos()).Add(rotated.Mul(angles.Sin()));
        var result = rot == d ? outRot : Torch.Cat([outRot, x.Narrow(-1, rot, d - rot)], -1);
        return result.MoveToOuterScope();
    }
}

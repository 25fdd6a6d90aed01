using Micar.Torch;

namespace Micar.Blocks;

using Torch = Micar.Torch.Torch;

/// <summary>RMSNorm as the official code computes it: in float32, <c>x·rsqrt(mean(x²) + eps)</c>, cast back to the
/// input dtype, then times the weight. No bias, no mean subtraction.</summary>
public static class RmsNorm
{
    /// <summary>Normalises over the last dimension.</summary>
    public static Tensor Forward(Tensor x, Tensor weight, double eps = 1e-6)
    {
        using var scope = Torch.NewScope();
        var dtype = x.DType;
        var x32 = dtype == DType.Float32 ? x : x.Float();
        var ms = x32.Pow(2).Mean(-1, keepDim: true);       // [.., 1]
        var y = x32.Mul(ms.Add(eps).Rsqrt());
        if (dtype != DType.Float32) y = y.To(dtype);
        return y.Mul(weight).MoveToOuterScope();
    }
}

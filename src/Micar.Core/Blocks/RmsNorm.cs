using Micar.Torch;

namespace Micar.Blocks;


/// <summary>RMSNorm as the official code computes it: in float32, <c>x·rsqrt(mean(x²) + eps)</c>, cast back to the
/// input dtype, then times the weight. No bias, no mean subtraction.</summary>
public static class RmsNorm
{
    static readonly Op Fused = new("micar::rms_norm");

    /// <summary>Normalises over the last dimension: the six ATen operators in one call (<c>micar::rms_norm</c>).</summary>
    public static Tensor Forward(Tensor x, Tensor weight, double eps = 1e-6) => Fused.Call(x, weight, eps);
}

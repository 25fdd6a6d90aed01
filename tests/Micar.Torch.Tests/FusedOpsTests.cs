using Micar.Torch;
using Xunit;

namespace Micar.Torch.Tests;

/// <summary>micar::rms_norm and micar::rope_interleaved run the same ATen operators as the op-by-op formulas, in one
/// call: same values and same gradients, bit for bit.</summary>
public class FusedOpsTests
{
    static readonly Op RmsNorm = new("micar::rms_norm"), Rope = new("micar::rope_interleaved");

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.BFloat16)]
    public void Rms_norm_equals_the_formula_and_its_gradients(DType dtype)
    {
        using var scope = Libtorch.NewScope();
        var gen = new Generator(8);
        var x = Libtorch.Randn([3, 5, 16], gen).To(dtype).RequiresGrad_();
        var w = Libtorch.Randn([16], gen).To(dtype).RequiresGrad_();
        var fused = RmsNorm.Call(x, w, 1e-6);
        var x32 = x.Float();
        var y = x32.Mul(x32.Pow(2).Mean(-1, keepDim: true).Add(1e-6).Rsqrt()).To(dtype).Mul(w);
        Assert.True(fused.Equal(y));
        var probe = Libtorch.Randn([3, 5, 16], gen).To(dtype);
        var gf = Autograd.Grad([fused.Mul(probe).Sum()], [x, w]);
        var gy = Autograd.Grad([y.Mul(probe).Sum()], [x, w]);
        Assert.True(gf[0]!.Equal(gy[0]!) && gf[1]!.Equal(gy[1]!));
    }

    [Theory]
    [InlineData(6)]   // every feature rotates
    [InlineData(8)]   // the last two pass through
    public void Rope_interleaved_equals_the_rotation_formula(int d)
    {
        using var scope = Libtorch.NewScope();
        var gen = new Generator(9);
        var x = Libtorch.Randn([2, 4, 3, d], gen);
        var angles = Libtorch.Randn([3, 6], gen);
        var (cos, sin) = (angles.Cos(), angles.Sin());
        var fused = Rope.Call(x, cos, sin);
        var xr = x.Narrow(-1, 0, 6);
        var pairs = xr.Reshape(2, 4, 3, 3, 2);
        var rotated = Libtorch.Stack([pairs.Select(-1, 1).Neg(), pairs.Select(-1, 0)], -1).Reshape(2, 4, 3, 6);
        var expected = xr.Mul(cos).Add(rotated.Mul(sin));
        if (d > 6) expected = Libtorch.Cat([expected, x.Narrow(-1, 6, d - 6)], -1);
        Assert.True(fused.Equal(expected));
        var e = Assert.Throws<TorchException>(() => Rope.Call(x, Libtorch.Ones([3, 10]), Libtorch.Ones([3, 10])));
        Assert.Contains("rotates 10 features", e.Message);
    }
}

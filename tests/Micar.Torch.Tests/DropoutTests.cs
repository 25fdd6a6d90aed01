using Micar.Torch;
using Xunit;

namespace Micar.Torch.Tests;

public class DropoutTests
{
    [Theory]
    [InlineData(0.1, DType.Float32)]
    [InlineData(0.5, DType.Float64)]
    [InlineData(0.3, DType.BFloat16)]
    public void Keeps_about_one_minus_p_and_scales_the_kept_elements(double p, DType dtype)
    {
        using var scope = Libtorch.NewScope();
        const long n = 200_001;                                                   // odd: the last element of a pair alone
        var x = Libtorch.Ones([n], dtype);
        var y = F.Dropout(x, p, training: true, new Generator(11));
        Assert.Equal(dtype, y.DType);
        Assert.Equal(x.Shape, y.Shape);
        var kept = y.Ne(0).Sum().Item();
        double expected = n * (1 - p), sigma = Math.Sqrt(n * p * (1 - p));
        Assert.True(Math.Abs(kept - expected) < 5 * sigma, $"kept {kept}, expected {expected} ± {5 * sigma}");
        var scale = 1 / (1 - p);
        var values = y.To(DType.Float64);
        Assert.True(values.Ne(0).Mul(values.Sub(scale).Abs()).Max().Item() < (dtype == DType.BFloat16 ? 1e-2 : 1e-6), "a kept element is not 1/(1-p)");
    }

    [Fact]
    public void Same_generator_seed_same_mask_at_any_thread_count_and_a_new_mask_per_call()
    {
        using var scope = Libtorch.NewScope();
        var x = Libtorch.Ones([64, 1000]);
        int threads = Libtorch.Threads;
        try
        {
            Libtorch.Threads = 1;
            var g1 = new Generator(5);
            var a = F.Dropout(x, 0.2, true, g1);
            var a2 = F.Dropout(x, 0.2, true, g1);
            Libtorch.Threads = 2;
            var b = F.Dropout(x, 0.2, true, new Generator(5));
            Assert.True(a.Equal(b), "the mask depends on the thread count");
            Assert.False(a.Equal(a2), "two calls drew the same mask");
            Assert.False(a.Equal(F.Dropout(x, 0.2, true, new Generator(6))), "two seeds drew the same mask");
        }
        finally { Libtorch.Threads = threads; }
    }

    [Fact]
    public void Gradient_is_the_mask_and_edge_cases_hold()
    {
        using var scope = Libtorch.NewScope();
        var x = Libtorch.Randn([8, 33], new Generator(2)).RequiresGrad_();
        var y = F.Dropout(x, 0.25, true, new Generator(3));
        var grad = Autograd.Grad([y.Sum()], [x])[0]!;
        Assert.True(grad.Mul(x).Sub(y).Abs().Max().Item() < 1e-6);           // y = x ⊙ mask, ∂Σy/∂x = mask
        Assert.True(F.Dropout(x, 0.25, training: false).Equal(x));
        Assert.True(F.Dropout(x, 0, training: true).Equal(x));
        Assert.Equal(0.0, F.Dropout(x, 1, training: true).Abs().Sum().Item());
        Assert.Throws<ArgumentOutOfRangeException>(() => F.Dropout(x, 1.5, training: true));
        var e = Assert.Throws<TorchException>(() => Libtorch.Call("micar::dropout_mask", "", new long[] { 3 }, 1.0));
        Assert.Contains("p must lie in [0, 1)", e.Message);
    }
}

using Micar.Torch;
using Xunit;

namespace Micar.Torch.Tests;

[Collection("op profiler")]
public class LinearRowsTests
{
    static readonly Op AtenLinear = new("aten::linear"), LinearRows = new("micar::linear_rows");

    [Theory]
    [InlineData(new long[] { 1, 1 }, 1027, 300, true)]     // K not a multiple of 8
    [InlineData(new long[] { 3 }, 512, 2048, false)]
    [InlineData(new long[] { 2, 2 }, 515, 600, true)]      // 4 rows in a 3-d input
    [InlineData(new long[] { 1, 3 }, 600, 513, false)]
    public void Few_rows_without_autograd_take_the_row_kernel_and_match_atens_linear(long[] lead, long k, long n, bool bias)
    {
        using var scope = Libtorch.NewScope();
        var gen = new Generator(3);
        var x = Libtorch.Randn([.. lead, k], gen);
        var w = Libtorch.Randn([n, k], gen).RequiresGrad_();                        // parameters require grad; no-grad mode decides
        var b = bias ? Libtorch.Randn([n], gen).RequiresGrad_() : null;
        using var noGrad = Autograd.NoGrad();
        Tensor y = null!;
        var profile = OpProfiler.Profile(() => y = F.Linear(x, w, b), thisThreadOnly: true);
        Assert.Contains(profile.Rows, r => r.Name == "micar::linear_rows");
        Assert.DoesNotContain(profile.Rows, r => r.Name is "aten::mm" or "aten::addmm");
        var expected = AtenLinear.Call(x, w, b);
        TorchFixture.AssertClose(expected, y, 1e-5 * expected.Abs().Max().Item(), "linear_rows vs aten::linear");
    }

    [Fact]
    public void Non_contiguous_input_gives_the_same_rows()
    {
        using var scope = Libtorch.NewScope();
        var gen = new Generator(4);
        var x = Libtorch.Randn([700, 3], gen).T;                                    // [3, 700], strided
        var w = Libtorch.Randn([512, 700], gen);
        using var noGrad = Autograd.NoGrad();
        var y = LinearRows.Call(x, w);
        Assert.True(AtenLinear.Call(x, w, Arg.None).Sub(y).Abs().Max().Item() < 1e-3);
    }

    [Fact]
    public void Autograd_many_rows_small_weights_and_other_dtypes_use_atens_linear()
    {
        using var scope = Libtorch.NewScope();
        var gen = new Generator(5);
        var w = Libtorch.Randn([512, 512], gen).RequiresGrad_();
        var x = Libtorch.Randn([2, 512], gen);
        var withGrad = OpProfiler.Profile(() => F.Linear(x, w).Sum().Backward(), thisThreadOnly: true);
        Assert.DoesNotContain(withGrad.Rows, r => r.Name == "micar::linear_rows");
        Assert.NotNull(w.Grad);
        using var noGrad = Autograd.NoGrad();
        foreach (var (input, weight) in new[]
                 {
                     (Libtorch.Randn([5, 512], gen), w),                               // more rows than LinearRowsMax
                     (Libtorch.Randn([2, 64], gen), Libtorch.Randn([64, 64], gen)),       // weights that stay in cache
                     (Libtorch.Randn([2, 512], gen, DType.Float64), w.To(DType.Float64)),
                 })
        {
            var p = OpProfiler.Profile(() => F.Linear(input, weight), thisThreadOnly: true);
            Assert.DoesNotContain(p.Rows, r => r.Name == "micar::linear_rows");
        }
    }

    [Fact]
    public void Bad_inputs_are_refused_with_the_reason()
    {
        using var scope = Libtorch.NewScope();
        var e = Assert.Throws<TorchException>(() => LinearRows.Call(Libtorch.Ones([2, 4], DType.Float64), Libtorch.Ones([3, 4], DType.Float64)));
        Assert.Contains("float32", e.Message);
        e = Assert.Throws<TorchException>(() => LinearRows.Call(Libtorch.Ones([2, 4]), Libtorch.Ones([3, 5])));
        Assert.Contains("[N, K]", e.Message);
        e = Assert.Throws<TorchException>(() => LinearRows.Call(Libtorch.Ones([2, 4]), Libtorch.Ones([3, 4]), Libtorch.Ones([4])));
        Assert.Contains("bias", e.Message);
    }
}

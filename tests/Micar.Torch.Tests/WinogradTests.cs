using Micar.Torch;
using Xunit;

namespace Micar.Torch.Tests;

public class WinogradTests
{
    static double MaxAbs(Tensor a, Tensor b) => a.Sub(b).Abs().Max().Item();

    [Theory]
    [InlineData(ConvAlgorithm.Winograd2, 7, 9)]
    [InlineData(ConvAlgorithm.Winograd4, 7, 9)]
    [InlineData(ConvAlgorithm.Winograd2, 8, 8)]
    [InlineData(ConvAlgorithm.Winograd4, 12, 5)]
    [InlineData(ConvAlgorithm.Winograd4, 1, 1)]
    public void Equals_the_direct_convolution_and_its_gradients_in_float64(ConvAlgorithm algorithm, int h, int w)
    {
        using var scope = Torch.NewScope();
        var gen = new Generator(5);
        var x = Torch.Randn([2, 3, h, w], gen, DType.Float64).RequiresGrad_();
        var k = Torch.Randn([5, 3, 3, 3], gen, DType.Float64).RequiresGrad_();
        var bias = Torch.Randn([5], gen, DType.Float64).RequiresGrad_();
        var probe = Torch.Randn([2, 5, h, w], gen, DType.Float64);
        var direct = F.Conv2d(x, k, bias, padding: 1);
        var (gx, gk, gb) = Grads(direct);
        var wino = F.Conv2dWinograd(x, k, bias, algorithm);
        Assert.Equal(direct.Shape, wino.Shape);
        Assert.True(MaxAbs(direct, wino) < 1e-11, $"max |Δ| {MaxAbs(direct, wino)}");
        var (wx, wk, wb) = Grads(wino);
        Assert.True(MaxAbs(gx, wx) < 1e-11, $"input grad max |Δ| {MaxAbs(gx, wx)}");
        Assert.True(MaxAbs(gk, wk) < 1e-10, $"weight grad max |Δ| {MaxAbs(gk, wk)}");
        Assert.True(MaxAbs(gb, wb) < 1e-11, $"bias grad max |Δ| {MaxAbs(gb, wb)}");

        (Tensor, Tensor, Tensor) Grads(Tensor y)
        {
            var g = Autograd.Grad([y.Mul(probe).Sum()], [x, k, bias]);
            return (g[0]!, g[1]!, g[2]!);
        }
    }

    [Theory]
    [InlineData(ConvAlgorithm.Winograd2, 2e-6)]
    [InlineData(ConvAlgorithm.Winograd4, 5e-5)]
    public void Float32_error_stays_small_with_many_channels(ConvAlgorithm algorithm, double bound)
    {
        using var scope = Torch.NewScope();
        var gen = new Generator(11);
        var x = Torch.Randn([2, 96, 13, 11], gen);
        var k = Torch.Randn([64, 96, 3, 3], gen).Mul(Math.Sqrt(1.0 / (9 * 96)));
        var exact = F.Conv2d(x.To(DType.Float64), k.To(DType.Float64), padding: 1);
        var wino = F.Conv2dWinograd(x, k, null, algorithm).To(DType.Float64);
        double rel = MaxAbs(exact, wino) / exact.Abs().Max().Item();
        Assert.True(rel < bound, $"relative error {rel:E2}");
    }

    [Fact]
    public void Direct_falls_back_to_libtorch_and_wrong_shapes_are_named()
    {
        using var scope = Torch.NewScope();
        var x = Torch.Randn([1, 4, 6, 6], new Generator(1));
        var k = Torch.Randn([2, 4, 3, 3], new Generator(2));
        Assert.Equal(0, MaxAbs(F.Conv2d(x, k, padding: 1), F.Conv2dWinograd(x, k, null, ConvAlgorithm.Direct)));
        var e = Assert.Throws<ArgumentException>(() => F.Conv2dWinograd(x, Torch.Randn([2, 4, 5, 5], new Generator(3))));
        Assert.Contains("weight [2, 4, 5, 5]", e.Message);
        e = Assert.Throws<ArgumentException>(() => F.Conv2dWinograd(x, Torch.Randn([2, 3, 3, 3], new Generator(3))));
        Assert.Contains("input [1, 4, 6, 6]", e.Message);
    }
}

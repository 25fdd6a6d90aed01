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
        using var scope = Libtorch.NewScope();
        var gen = new Generator(5);
        var x = Libtorch.Randn([2, 3, h, w], gen, DType.Float64).RequiresGrad_();
        var k = Libtorch.Randn([5, 3, 3, 3], gen, DType.Float64).RequiresGrad_();
        var bias = Libtorch.Randn([5], gen, DType.Float64).RequiresGrad_();
        var probe = Libtorch.Randn([2, 5, h, w], gen, DType.Float64);
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
    [InlineData(ConvAlgorithm.Winograd2, 1L)]
    [InlineData(ConvAlgorithm.Winograd4, 1L)]
    [InlineData(ConvAlgorithm.Winograd4, 3000L)]
    public void Chunked_transforms_give_the_same_values_and_gradients(ConvAlgorithm algorithm, long chunkBytes)
    {
        // chunkBytes 1 makes one output channel (forward) / input channel (backward) at a time; 3000 a few at a time.
        using var scope = Libtorch.NewScope();
        var gen = new Generator(8);
        var x = Libtorch.Randn([2, 7, 9, 6], gen, DType.Float64).RequiresGrad_();
        var k = Libtorch.Randn([5, 7, 3, 3], gen, DType.Float64).RequiresGrad_();
        var probe = Libtorch.Randn([2, 5, 9, 6], gen, DType.Float64);
        var whole = F.Conv2dWinograd(x, k, null, algorithm);
        var chunked = F.Conv2dWinograd(x, k, null, algorithm, chunkBytes);
        Assert.True(MaxAbs(whole, chunked) < 1e-12, $"max |Δ| {MaxAbs(whole, chunked)}");
        var g1 = Autograd.Grad([whole.Mul(probe).Sum()], [x, k]);
        var g2 = Autograd.Grad([chunked.Mul(probe).Sum()], [x, k]);
        Assert.True(MaxAbs(g1[0]!, g2[0]!) < 1e-12 && MaxAbs(g1[1]!, g2[1]!) < 1e-12);
        var gx = Autograd.Grad([F.Conv2d(x, k, padding: 1).Mul(probe).Sum()], [x, k]);
        Assert.True(MaxAbs(gx[0]!, g2[0]!) < 1e-11 && MaxAbs(gx[1]!, g2[1]!) < 1e-10);
    }

    [Fact]
    public void Gradient_of_only_the_input_or_only_the_weights_and_no_grad_mode()
    {
        using var scope = Libtorch.NewScope();
        var gen = new Generator(9);
        var x = Libtorch.Randn([1, 4, 5, 7], gen, DType.Float64);
        var k = Libtorch.Randn([3, 4, 3, 3], gen, DType.Float64);
        var probe = Libtorch.Randn([1, 3, 5, 7], gen, DType.Float64);
        var xg = x.Detach().RequiresGrad_();
        var onlyX = Autograd.Grad([F.Conv2dWinograd(xg, k).Mul(probe).Sum()], [xg])[0]!;
        var refX = Autograd.Grad([F.Conv2d(xg, k, padding: 1).Mul(probe).Sum()], [xg])[0]!;
        Assert.True(MaxAbs(onlyX, refX) < 1e-11);
        var kg = k.Detach().RequiresGrad_();
        var onlyK = Autograd.Grad([F.Conv2dWinograd(x, kg).Mul(probe).Sum()], [kg])[0]!;
        var refK = Autograd.Grad([F.Conv2d(x, kg, padding: 1).Mul(probe).Sum()], [kg])[0]!;
        Assert.True(MaxAbs(onlyK, refK) < 1e-10);
        using (Autograd.NoGrad())
        {
            var y = F.Conv2dWinograd(xg, kg);
            Assert.False(y.RequiresGrad);
            Assert.True(MaxAbs(y, F.Conv2d(x, k, padding: 1)) < 1e-11);
        }
    }

    [Theory]
    [InlineData(ConvAlgorithm.Winograd2, 2e-6)]
    [InlineData(ConvAlgorithm.Winograd4, 5e-5)]
    public void Float32_error_stays_small_with_many_channels(ConvAlgorithm algorithm, double bound)
    {
        using var scope = Libtorch.NewScope();
        var gen = new Generator(11);
        var x = Libtorch.Randn([2, 96, 13, 11], gen);
        var k = Libtorch.Randn([64, 96, 3, 3], gen).Mul(Math.Sqrt(1.0 / (9 * 96)));
        var exact = F.Conv2d(x.To(DType.Float64), k.To(DType.Float64), padding: 1);
        var wino = F.Conv2dWinograd(x, k, null, algorithm).To(DType.Float64);
        double rel = MaxAbs(exact, wino) / exact.Abs().Max().Item();
        Assert.True(rel < bound, $"relative error {rel:E2}");
    }

    [Fact]
    public void Direct_falls_back_to_libtorch_and_wrong_shapes_are_named()
    {
        using var scope = Libtorch.NewScope();
        var x = Libtorch.Randn([1, 4, 6, 6], new Generator(1));
        var k = Libtorch.Randn([2, 4, 3, 3], new Generator(2));
        Assert.Equal(0, MaxAbs(F.Conv2d(x, k, padding: 1), F.Conv2dWinograd(x, k, null, ConvAlgorithm.Direct)));
        var e = Assert.Throws<ArgumentException>(() => F.Conv2dWinograd(x, Libtorch.Randn([2, 4, 5, 5], new Generator(3))));
        Assert.Contains("weight [2, 4, 5, 5]", e.Message);
        e = Assert.Throws<ArgumentException>(() => F.Conv2dWinograd(x, Libtorch.Randn([2, 3, 3, 3], new Generator(3))));
        Assert.Contains("input [1, 4, 6, 6]", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => F.Conv2dWinograd(x, k, null, ConvAlgorithm.Winograd4, chunkBytes: 0));
    }
}

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

    // ---- inference form: transformed weights kept, affine map and ReLU on the output --------------------------------

    /// <summary>conv(x) with bias, then an evaluation-mode batch norm and ReLU, layer by layer.</summary>
    static Tensor ConvBnRelu(Tensor x, Tensor k, Tensor bias, Tensor gamma, Tensor beta, Tensor mean, Tensor var, double eps) =>
        F.BatchNorm(F.Conv2d(x, k, bias, padding: 1), mean, var, gamma, beta, training: false, momentum: 0.1, eps: eps).Relu();

    [Theory]
    [InlineData(ConvAlgorithm.Winograd2, 7, 9)]
    [InlineData(ConvAlgorithm.Winograd4, 7, 9)]
    [InlineData(ConvAlgorithm.Winograd4, 8, 8)]
    [InlineData(ConvAlgorithm.Winograd4, 1, 1)]
    public void Transformed_weights_with_the_folded_batch_norm_equal_conv_bn_relu_in_float64(ConvAlgorithm algorithm, int h, int w)
    {
        using var scope = Libtorch.NewScope();
        using var noGrad = Autograd.NoGrad();
        var gen = new Generator(21);
        var x = Libtorch.Randn([2, 6, h, w], gen, DType.Float64);
        var k = Libtorch.Randn([5, 6, 3, 3], gen, DType.Float64);
        var bias = Libtorch.Randn([5], gen, DType.Float64);
        var gamma = Libtorch.Randn([5], gen, DType.Float64);                 // negative scales too: the ReLU comes after
        var beta = Libtorch.Randn([5], gen, DType.Float64);
        var mean = Libtorch.Randn([5], gen, DType.Float64);
        var var = Libtorch.Rand([5], gen, DType.Float64).Add(0.1);
        const double eps = 1e-5;
        var scale = gamma.Div(var.Add(eps).Sqrt());
        var shift = beta.Add(bias.Sub(mean).Mul(scale));
        var y = F.Conv2dWinogradTransformed(x, F.WinogradWeight(k, algorithm), algorithm, scale, shift, relu: true);
        var expected = ConvBnRelu(x, k, bias, gamma, beta, mean, var, eps);
        Assert.Equal(expected.Shape, y.Shape);
        Assert.True(MaxAbs(expected, y) < 1e-10, $"max |Δ| {MaxAbs(expected, y)}");
        Assert.True(expected.Eq(0).Sum().Item() > 0, "the ReLU clips something");
        // Without the affine map and ReLU it is the plain convolution.
        var plain = F.Conv2dWinogradTransformed(x, F.WinogradWeight(k, algorithm), algorithm);
        Assert.True(MaxAbs(F.Conv2d(x, k, padding: 1), plain) < 1e-11);
    }

    [Fact]
    public void Transformed_weights_in_float32_stay_within_float_rounding_of_the_direct_convolution()
    {
        // Float32 on the CPU takes the oneDNN matrix product where libdnnl is loaded (Debian's libtorch), ATen's otherwise.
        using var scope = Libtorch.NewScope();
        using var noGrad = Autograd.NoGrad();
        var gen = new Generator(23);
        var x = Libtorch.Randn([2, 96, 13, 11], gen);
        var k = Libtorch.Randn([64, 96, 3, 3], gen).Mul(Math.Sqrt(1.0 / (9 * 96)));
        var scale = Libtorch.Rand([64], gen).Add(0.5);
        var shift = Libtorch.Randn([64], gen);
        var exact = F.Conv2d(x.To(DType.Float64), k.To(DType.Float64), padding: 1)
            .Mul(scale.To(DType.Float64).View(1, 64, 1, 1)).Add(shift.To(DType.Float64).View(1, 64, 1, 1)).Relu();
        var y = F.Conv2dWinogradTransformed(x, F.WinogradWeight(k), ConvAlgorithm.Winograd4, scale, shift, relu: true).To(DType.Float64);
        double rel = MaxAbs(exact, y) / exact.Abs().Max().Item();
        Assert.True(rel < 5e-5, $"relative error {rel:E2}");
        // The training operator (chunked weight transforms, ATen products) gives the same up to rounding.
        var training = F.Conv2dWinograd(x, k).Mul(scale.View(1, 64, 1, 1)).Add(shift.View(1, 64, 1, 1)).Relu().To(DType.Float64);
        Assert.True(MaxAbs(training, y) / exact.Abs().Max().Item() < 5e-5);
    }

    [Fact]
    public void The_inference_form_refuses_gradients_and_mismatched_weights()
    {
        using var scope = Libtorch.NewScope();
        var gen = new Generator(3);
        var x = Libtorch.Randn([1, 4, 6, 6], gen);
        var k = Libtorch.Randn([2, 4, 3, 3], gen).RequiresGrad_();
        var e = Assert.ThrowsAny<Exception>(() => F.WinogradWeight(k));
        Assert.Contains("inference", e.Message);
        Tensor u;
        using (Autograd.NoGrad()) u = F.WinogradWeight(k);
        Assert.Equal([36L, 2, 4], u.Shape);
        e = Assert.ThrowsAny<Exception>(() => F.Conv2dWinogradTransformed(x.RequiresGrad_(), u));
        Assert.Contains("inference", e.Message);
        using (Autograd.NoGrad())
        {
            e = Assert.ThrowsAny<Exception>(() => F.Conv2dWinogradTransformed(x, u, ConvAlgorithm.Winograd2));   // 16 ≠ 36
            Assert.Contains("micar::winograd_weight with tile 2", e.Message);
            e = Assert.ThrowsAny<Exception>(() => F.Conv2dWinogradTransformed(x, u, ConvAlgorithm.Winograd4, Libtorch.Ones([3])));
            Assert.Contains("scale", e.Message);
            Assert.Throws<ArgumentOutOfRangeException>(() => F.WinogradWeight(k, ConvAlgorithm.Direct));
        }
    }
}

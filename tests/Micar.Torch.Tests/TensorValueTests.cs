using Micar.Torch;
using Xunit;
using static Micar.Torch.Tests.TorchFixture;

namespace Micar.Torch.Tests;

/// <summary>Values against PyTorch (same inputs, fixture from Debian's python3-torch).</summary>
public class TensorValueTests
{
    [Fact]
    public void Elementwise_reductions_and_softmax_match_pytorch()
    {
        using var scope = Libtorch.NewScope();
        var x = Get("x");
        var y = Get("y");
        AssertMatches("add_xy", x + y);
        AssertMatches("mul_x_2.5", x * 2.5);
        AssertMatches("softmax_x_-1", x.Softmax(-1));
        AssertMatches("log_softmax_x_1", x.LogSoftmax(1));
        AssertMatches("logsumexp_x_2", x.LogSumExp(2));
        AssertMatches("var_x_2", x.Var(2));
        AssertMatches("mean_x_1", x.Mean(1));
        AssertMatches("amax_x_2", x.Amax(2));
        AssertMatches("argmax_x_2", x.Argmax(2), 0);
        AssertMatches("gelu_x", x.Gelu());
        AssertMatches("silu_x", x.Silu());
        AssertMatches("selu_x", x.Selu());
        AssertMatches("sigmoid_x", x.Sigmoid());
        AssertMatches("tanh_x", x.Tanh());
        AssertMatches("rsqrt_absx", x.Abs().Rsqrt(), 1e-5);
        AssertMatches("tril_y", y.Tril());
        AssertMatches("triu_y_1", y.Triu(1));
        AssertMatches("cumsum_x_2", x.Cumsum(2));
        var (v, i) = x.TopK(2);
        AssertMatches("topk2_values", v);
        AssertMatches("topk2_indices", i, 0);
        var (sv, si) = x.Sort(1, descending: true);
        AssertMatches("sort_values", sv);
        AssertMatches("sort_indices", si, 0);
        AssertMatches("einsum_bij_jk", Libtorch.Einsum("bij,jk->bik", x.Narrow(2, 0, 3), y));
        AssertMatches("matmul_x_yT", x.Matmul(y.T), 1e-5);
    }

    [Fact]
    public void Convolution_batchnorm_pooling_and_interpolation_match_pytorch()
    {
        using var scope = Libtorch.NewScope();
        var img = Get("img");
        var c = F.Conv2d(img, Get("conv_w"), Get("conv_b"), stride: 2, padding: 1);
        AssertMatches("conv2d_s2_p1", c, 1e-5);
        var rm = Libtorch.Zeros([4]);
        var rv = Libtorch.Ones([4]);
        var bn = F.BatchNorm(c, rm, rv, Get("bn_weight"), Get("bn_bias"), training: true, momentum: 0.1);
        AssertMatches("bn_train_out", bn, 1e-5);
        AssertMatches("bn_running_mean", rm, 1e-6);
        AssertMatches("bn_running_var", rv, 1e-5);
        AssertMatches("bn_eval_out", F.BatchNorm(c, rm, rv, Get("bn_weight"), Get("bn_bias"), training: false), 1e-5);
        AssertMatches("maxpool_3_2_1", F.MaxPool2d(img, 3, 2, 1));
        var ramp = Libtorch.Arange(0, 2 * 7 * 7, dtype: DType.Float32).Reshape(1, 2, 7, 7);
        AssertMatches("adaptive_avg_3x3", F.AdaptiveAvgPool2d(ramp, 3, 3), 1e-5);
        AssertMatches("interp_nearest_13", F.Interpolate(img, 13, 13));
        AssertMatches("interp_bilinear_5x7", F.Interpolate(img, 5, 7, InterpolationMode.Bilinear));
        AssertMatches("interp_bilinear_5x7_ac", F.Interpolate(img, 5, 7, InterpolationMode.Bilinear, alignCorners: true));
        AssertMatches("interp_bilinear_4x4_aa", F.Interpolate(img, 4, 4, InterpolationMode.Bilinear, antialias: true), 1e-5);
    }

    [Fact]
    public void Embedding_and_cross_entropy_with_ignore_index_match_pytorch()
    {
        using var scope = Libtorch.NewScope();
        AssertMatches("embedding", F.Embedding(Get("emb_ids"), Get("emb_table")));
        var logits = Get("ce_logits");
        var target = Get("ce_target");
        AssertMatches("ce_ignore0", F.CrossEntropy(logits, target, ignoreIndex: 0).Reshape(1));
        AssertMatches("ce_sum", F.CrossEntropy(logits, target, reduction: Reduction.Sum).Reshape(1), 1e-5);
    }

    [Fact]
    public void Seeded_generators_reproduce_pytorch_draws()
    {
        using var scope = Libtorch.NewScope();
        using var g = new Generator(42);
        AssertMatches("rand_seed42", Libtorch.Rand([5], g), 0);
        AssertMatches("randn_seed42_after", Libtorch.Randn([5], g), 0);
        using var g7 = new Generator(7);
        AssertMatches("randint_seed7", Libtorch.Randint(0, 10, [6], g7), 0);
        // Restoring a saved state replays the same draws.
        var state = g.GetState();
        var a = Libtorch.Rand([4], g);
        g.SetState(state);
        var b = Libtorch.Rand([4], g);
        Assert.True(a.Equal(b));
    }
}

using Micar.Layers;
using Micar.Model;
using Micar.Torch;
using Xunit;
using Micar.Nn;

namespace Micar.Tests.Model;


/// <summary>Block-level equivalences: sparse vs dense MoE, cached vs full decoding, the RoPE formula.</summary>
public class BlockPropertiesTests
{
    [Theory]
    [InlineData(MoeCombine.Sum)]
    [InlineData(MoeCombine.Weighted)]
    public void Sparse_dispatch_equals_the_dense_masked_reference(MoeCombine combine)
    {
        using var scope = Libtorch.NewScope();
        var net = ModelFixture.Net();
        var p = net.Params.View("decoder.layers.1.moe");
        var x = Libtorch.Randn([3, 7, 32], new Generator(5));
        using var noGrad = Autograd.NoGrad();
        var moe = (Moe)net.Description.Decoder.Blocks[1].FeedForward with { Combine = combine, Dispatch = MoeDispatch.Dense, Dropout = 0 };
        var dense = moe.ApplyWithBalance(p, x, ForwardContext.Eval);
        var sparse = (moe with { Dispatch = MoeDispatch.Sparse }).ApplyWithBalance(p, x, ForwardContext.Eval);
        Assert.True(dense.Output.AllClose(sparse.Output, 1e-5, 1e-6));
        Assert.Equal(dense.BalanceLoss.Item(), sparse.BalanceLoss.Item(), 9);
        // The weighted combination is an explicit sum of score-weighted experts.
        var tokens = x.Reshape(-1, 32);
        var (probs, scores, idx) = moe.Router.Route(p.At("gate"), tokens, ForwardContext.Eval);
        var expected = Libtorch.ZerosLike(tokens);
        var ids = idx.ToArray<long>();
        var s = scores.ToArray<float>();
        for (int t = 0; t < tokens.Size(0); t++)
        {
            double sum = s[2 * t] + s[2 * t + 1];
            for (int k = 0; k < 2; k++)
            {
                var y = moe.Expert.Apply(p.At($"experts.{ids[2 * t + k]}"), tokens.Narrow(0, t, 1), ForwardContext.Eval);
                double w = combine == MoeCombine.Weighted ? s[2 * t + k] : sum;
                expected.Narrow(0, t, 1).Add_(y.Mul(w));
            }
        }
        Assert.True(expected.AllClose(sparse.Output.Reshape(-1, 32), 1e-5, 1e-6));
    }

    [Fact]
    public void Cached_incremental_decoding_gives_the_logits_of_full_recomputation()
    {
        using var scope = Libtorch.NewScope();
        var f = DeterministicWeights.Load("tiny_model.safetensors");
        var net = ModelFixture.Net();
        using var noGrad = Autograd.NoGrad();
        var memory = net.EncodeImage(f["image"], ForwardContext.Eval);
        var ids = f["ids"];
        var full = net.Decode(ids, memory, null, ForwardContext.Eval).Logits;
        using var cache = net.NewCache();
        for (int t = 0; t < ids.Size(1); t++)
        {
            var step = net.Decode(ids.Narrow(1, t, 1), memory, null, ForwardContext.Eval, cache).Logits;
            Assert.True(step.AllClose(full.Narrow(1, t, 1), 1e-4, 1e-5), $"position {t}");
        }
        Assert.Equal(ids.Size(1), cache.Length);
    }

    [Fact]
    public void Rope_frequencies_and_sinusoidal_table_match_the_reference()
    {
        using var scope = Libtorch.NewScope();
        var f = DeterministicWeights.Load("tiny_model.safetensors");
        Assert.True(f["rope_freqs_6"].AllClose(Rope.Frequencies(6), 1e-6, 1e-7));
        Assert.True(f["pe_12x32"].AllClose(SinusoidalPositions.Table(12, 32), 1e-5, 1e-6));
    }

    [Fact]
    public void Rope_rotates_interleaved_pairs_of_the_first_features_only()
    {
        using var scope = Libtorch.NewScope();
        var x = Libtorch.Randn([1, 1, 3, 6], new Generator(1));
        var freqs = Libtorch.Tensor(new float[] { 0.5f, 0.25f });
        var y = Rope.Rotate(x, freqs, offset: 2).ToArray<float>();
        var xv = x.ToArray<float>();
        for (int p = 0; p < 3; p++)
        {
            for (int j = 0; j < 2; j++)
            {
                double a = (p + 2) * (j == 0 ? 0.5 : 0.25);
                double x0 = xv[p * 6 + 2 * j], x1 = xv[p * 6 + 2 * j + 1];
                Assert.Equal(x0 * Math.Cos(a) - x1 * Math.Sin(a), y[p * 6 + 2 * j], 5);
                Assert.Equal(x1 * Math.Cos(a) + x0 * Math.Sin(a), y[p * 6 + 2 * j + 1], 5);
            }
            Assert.Equal(xv[p * 6 + 4], y[p * 6 + 4]);
            Assert.Equal(xv[p * 6 + 5], y[p * 6 + 5]);
        }
    }
}

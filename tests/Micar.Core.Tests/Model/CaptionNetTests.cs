using Micar.Layers;
using Micar.Model;
using Micar.Torch;
using Xunit;
using Micar.Nn;

namespace Micar.Tests.Model;


/// <summary>The whole forward pass against the PyTorch reference implementation (same weights).</summary>
public class CaptionNetTests
{
    static void Close(Tensor expected, Tensor actual, double tol, string what)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        double d = (expected.To(DType.Float64) - actual.To(DType.Float64)).Abs().Max().Item();
        Assert.True(d <= tol, $"{what}: max abs difference {d:g3} > {tol:g3}");
    }

    [Fact]
    public void Key_list_equals_the_reference_implementations_state_dict()
    {
        var expected = ModelFixture.ReferenceKeys();
        var actual = ModelFixture.Spec().Compile().Parameters().Select(p => (p.Name, p.Shape.ToArray())).ToList();
        Assert.Equal(expected.Select(e => e.Key), actual.Select(a => a.Name));
        Assert.Equal(expected.Select(e => string.Join(",", e.Shape)), actual.Select(a => string.Join(",", a.Item2)));
    }

    [Fact]
    public void Eval_logits_and_balance_value_equal_the_reference()
    {
        using var scope = Libtorch.NewScope();
        var f = DeterministicWeights.Load("tiny_model.safetensors");
        var net = ModelFixture.Net();
        using var noGrad = Autograd.NoGrad();
        var memory = net.EncodeImage(f["image"], ForwardContext.Eval);
        Close(f["encoder_out"], memory, 1e-5, "encoder output");
        var r = net.Decode(f["ids"], memory, f["pad_mask"], ForwardContext.Eval);
        Close(f["logits"], r.Logits, 1e-5, "logits");
        Close(f["lb"], r.BalanceLoss.Reshape(1), 1e-6, "balance value");
        var r2 = net.Decode(f["ids"], memory, null, ForwardContext.Eval);
        Close(f["logits_nopad"], r2.Logits, 1e-5, "logits without pad mask");
        Console.WriteLine($"tiny official logits max abs diff: {(f["logits"] - r.Logits).Abs().Max().Item():g3}");
    }

    /// <summary>Also with the MSVE fusion conv computed by Winograd's algorithm (the reference uses libtorch's conv).</summary>
    [Theory]
    [InlineData(null)]
    [InlineData(ConvAlgorithm.Winograd2)]
    [InlineData(ConvAlgorithm.Winograd4)]
    public void Training_mode_loss_gradients_and_batchnorm_statistics_equal_the_reference(ConvAlgorithm? fusionConv)
    {
        using var scope = Libtorch.NewScope();
        var f = DeterministicWeights.Load("tiny_model.safetensors");
        var net = ModelFixture.Net();
        var ctx = ForwardContext.Train() with { FusionConv = fusionConv };
        var r = net.Forward(f["image"], f["ids"], f["pad_mask"], ctx);
        Close(f["train_logits"], r.Logits, 1e-4, "train logits");
        Close(f["train_lb"], r.BalanceLoss.Reshape(1), 1e-6, "train balance value");
        var loss = F.CrossEntropy(r.Logits.Reshape(-1, 50), f["labels"].Reshape(-1), ignoreIndex: 0).Add(r.BalanceLoss.Mul(0.01));
        Close(f["train_loss"], loss.Reshape(1), 1e-5, "loss");
        loss.Backward();
        foreach (var key in new[] { "decoder.layers.0.moe.gate.gate.weight", "text_embs.embedding.weight", "vis_enc.fusion.0.weight",
                     "encoder.layers.1.self_attention.wo.weight", "decoder.layers.1.gated_fusion.gate.0.bias" })
            Close(f["grad." + key], net.Params[key].Grad!, 1e-5, "gradient of " + key);
        foreach (var key in new[] { "vis_enc.fusion.1.running_mean", "vis_enc.fusion.1.running_var", "vis_enc.fusion.1.num_batches_tracked" })
            Close(f["train." + key], net.Params[key], 1e-5, key);
    }

    [Fact]
    public void Every_trainable_parameter_receives_a_gradient_and_the_router_learns_through_the_output_only_when_weighted()
    {
        using var scope = Libtorch.NewScope();
        var f = DeterministicWeights.Load("tiny_model.safetensors");
        foreach (var combine in new[] { MoeCombine.Sum, MoeCombine.Weighted })
        {
            var net = ModelFixture.Net(ModelFixture.Spec(combine, MoeDispatch.Sparse));
            var r = net.Forward(f["image"], f["ids"], f["pad_mask"], ForwardContext.Train());
            var ce = F.CrossEntropy(r.Logits.Reshape(-1, 50), f["labels"].Reshape(-1), ignoreIndex: 0);
            ce.Add(r.BalanceLoss.Mul(0.01)).Backward();
            var noGrad = net.Params.Trainable().Where(p => p.Value.Grad is not { } g || g.Abs().Sum().Item() == 0).Select(p => p.Key).ToList();
            Assert.True(noGrad.Count == 0, $"{combine}: no gradient for {string.Join(", ", noGrad.Take(10))}");

            // Router gradient through the output alone (no balance term).
            var net2 = ModelFixture.Net(ModelFixture.Spec(combine, MoeDispatch.Sparse));
            var r2 = net2.Forward(f["image"], f["ids"], f["pad_mask"], ForwardContext.Train());
            F.CrossEntropy(r2.Logits.Reshape(-1, 50), f["labels"].Reshape(-1), ignoreIndex: 0).Backward();
            double routerGrad = net2.Params["decoder.layers.0.moe.gate.gate.weight"].Grad!.Abs().Max().Item();
            if (combine == MoeCombine.Weighted) Assert.True(routerGrad > 1e-4, $"weighted: router gradient {routerGrad:g3}");
            else Assert.True(routerGrad < 1e-5, $"sum: router gradient {routerGrad:g3} should be rounding noise");
        }
    }
}

public class FusionConvChoiceTests
{
    [Theory]
    [InlineData(2, 2048, 56, ConvAlgorithm.Winograd4)]
    [InlineData(16, 512, 24, ConvAlgorithm.Winograd4)]
    [InlineData(1, 512, 28, ConvAlgorithm.Direct)]
    [InlineData(16, 128, 24, ConvAlgorithm.Direct)]
    public void Winograd_is_chosen_on_cpu_for_wide_and_large_maps(long b, long c, long hw, ConvAlgorithm expected)
    {
        using var scope = Micar.Torch.Libtorch.NewScope();
        var x = Micar.Torch.Libtorch.Empty([b, c, hw, hw]);
        Assert.Equal(expected, Msve.FusionConvAlgorithm(x));
    }
}

using Xunit;
using Micar.Layers;
using Micar.Model;
using Micar.Nn;
using Micar.Spec;
using Micar.Torch;
using Micar.Training;

namespace Micar.Tests.MedMoe;

/// <summary>The MedMoE description (parameter layout, shape trace, checks) and its forward and backward passes.</summary>
public class MedMoeModelTests
{
    /// <summary>medmoe-tiny at 64 px (the smallest size whose P5 is 2×2), with a small vocabulary.</summary>
    static MedMoeSpec Small(MedMoeRouting routing = MedMoeRouting.Conditioned) => MedMoePresets.Get("medmoe-tiny") with
    {
        Vision = new VisionSpec { Depth = 18, ImageSize = 64, DV = 32, Grid = 2, UseMsve = true },
        ScaleGrid = 2, Width = 32, EmbedDim = 16, TextDModel = 32, TextDLatent = 32, TextQkNopeDim = 8, TextQkRopeDim = 8,
        TextDFf = 64, TextSeqLen = 12, Vocab = new VocabSpec { Dataset = null, Size = 30 }, Routing = routing,
    };

    static Tensor Ids(Generator g, int batch, int length)
    {
        var ids = Libtorch.Randint(3, 30, [batch, length], g);
        // the last report is shorter: its tail is padding
        var pad = Libtorch.Arange(length).Ge(length - 4).Unsqueeze(0).Expand(batch, -1)
            .LogicalAnd(Libtorch.Arange(batch).Eq(batch - 1).Unsqueeze(1).Expand(-1, length));
        return ids.MaskedFill(pad, 0);
    }

    [Fact]
    public void PresetsCompileAndDescribe()
    {
        foreach (var name in MedMoePresets.Names)
        {
            var spec = MedMoePresets.Get(name);
            Assert.Empty(spec.Validate());
            var summary = spec.Describe(batch: 2);
            Assert.Equal(new Shape(2, 2), summary.Output);
            Assert.True(summary.Totals.Parameters > 0);
        }
        var tiny = MedMoePresets.Get("medmoe-tiny").Compile();
        var keys = tiny.Parameters().Select(p => p.Name).ToHashSet();
        Assert.Contains("logit_scale", keys);
        Assert.Contains("router.modality_embedding.weight", keys);
        Assert.Contains("router.modality_gate.weight", keys);
        Assert.Contains("experts.3.3.1.weight", keys);               // expert 3, scale P5, its Linear
        Assert.Contains("vis_enc.fpn_c5.0.weight", keys);
        Assert.Contains("text.encoder.layers.0.self_attention.wo.weight", keys);
        Assert.Equal(36, tiny.Regions);
        var unconditioned = MedMoePresets.Get("medmoe-tiny-unconditioned").Compile();
        Assert.Contains("router.gate.weight", unconditioned.Parameters().Select(p => p.Name));
        Assert.DoesNotContain(unconditioned.Parameters(), p => p.Name.StartsWith("router.modality", StringComparison.Ordinal));
        var none = MedMoePresets.Get("medmoe-tiny-no-moe").Compile();
        Assert.DoesNotContain(none.Parameters(), p => p.Name.StartsWith("router.", StringComparison.Ordinal));
        Assert.DoesNotContain(none.Parameters(), p => p.Name.StartsWith("experts.1.", StringComparison.Ordinal));
        Assert.False(MedMoePresets.TryGet("medmoe-tiny-no-such", out _));
    }

    [Fact]
    public void ChecksNameTheField()
    {
        var bad = Small() with { TopK = 5 };
        Assert.Contains(bad.Validate(), e => e.Message.Contains("TopK 5"));
        var flat = Small() with { Vision = Small().Vision with { UseMsve = false, DV = 512 } };
        Assert.Contains(flat.Validate(), e => e.Path == "vision.useMsve");
        var heads = Small() with { TextDLatent = 40 };
        Assert.Contains(heads.Validate(), e => e.Path == "textDLatent");
        var model = Small().Compile();
        var ex = Assert.Throws<ShapeException>(() => model.OutputShape(new Shape(2, 3, 64, 64), new Shape(3, 12)));
        Assert.Contains("batch", ex.Message);
    }

    [Fact]
    public void SpecRoundTripsThroughJson()
    {
        var spec = MedMoePresets.Get("medmoe-base-unconditioned");
        var back = MedMoeSpec.FromJson(spec.ToJson());
        Assert.Equal(spec.ToJson(), back.ToJson());
        Assert.Contains("\"routing\": \"unconditioned\"", spec.ToJson());
    }

    [Theory]
    [InlineData(MedMoeRouting.Conditioned)]
    [InlineData(MedMoeRouting.Unconditioned)]
    [InlineData(MedMoeRouting.None)]
    public void ForwardShapesAndGradientsReachEveryTrainedPart(MedMoeRouting routing)
    {
        using var scope = Libtorch.NewScope();
        var spec = Small(routing);
        var model = spec.Compile();
        using var g = new Generator(5);
        var net = MedMoeNet.Create(model, g);
        using var store = net.Params;
        var image = Libtorch.Randn([3, 3, 64, 64], g);
        var ids = Ids(g, 3, 12);
        var labels = Tensor.From(new long[] { 0, 1, 1 });
        var ctx = ForwardContext.Train(g);
        float[,] used = new float[model.Experts, MedMoeModel.Scales];           // total weight of each expert per scale
        using (var img = net.EncodeImage(image, labels, ctx))
        {
            Assert.Equal([3L, 16], img.Global.Shape);
            Assert.Equal([3L, 16, 16], img.Local.Shape);
            Assert.Equal([3L, 2], img.ModalityLogits.Shape);
            Assert.True(img.Global.Pow(2.0).Sum(-1).Sub(1.0).Abs().Max().Item<float>() < 1e-4);
            if (routing == MedMoeRouting.None) Assert.Null(img.ExpertWeights);
            else
            {
                Assert.True(img.ExpertWeights!.Sum(-1).Sub(1.0).Abs().Max().Item<float>() < 1e-5);
                var perScale = img.ExpertWeights.Reshape(3, MedMoeModel.Scales, -1, model.Experts).Sum([0L, 2L]).ToArray<float>();
                for (int s = 0; s < MedMoeModel.Scales; s++)
                    for (int e = 0; e < model.Experts; e++) used[e, s] = perScale[s * model.Experts + e];
            }
        }
        using var losses = net.Loss(image, ids, labels, spec.Loss, ctx);
        Assert.True(float.IsFinite(losses.Total.Item<float>()));
        Assert.True(losses.Modality.Item<float>() > 0);
        if (routing == MedMoeRouting.None) Assert.Equal(0f, losses.Balance.Item<float>());
        else Assert.True(losses.Balance.Item<float>() < 0);                      // −entropy of the mean routing
        losses.Total.Backward();
        string[] trained =
        [
            "logit_scale", "vis_enc.layer1.0.weight", "vis_enc.fpn_c2.0.weight", "vis_enc.fpn_c5.0.weight",
            "modality_head.1.weight", "image_proj.weight", "local_proj.weight",
            "text.embedding.embedding.weight", "text.encoder.layers.0.ff.w1.weight", "text_proj.weight", "word_proj.weight",
        ];
        var expected = routing switch
        {
            MedMoeRouting.Conditioned => [.. trained, "router.gate.weight", "router.modality_gate.weight", "router.modality_embedding.weight"],
            MedMoeRouting.Unconditioned => [.. trained, "router.gate.weight"],
            _ => trained,
        };
        foreach (var key in expected)
        {
            var grad = store[key].Grad;
            Assert.True(grad is not null, $"{key} has no gradient");
            Assert.True(grad!.Abs().Sum().Item<float>() > 0, $"{key} has a zero gradient");
        }
        // an expert branch learns at a scale exactly when some region of that scale was routed to it
        for (int s = 0; s < MedMoeModel.Scales; s++)
        {
            for (int e = 0; e < model.Experts; e++)
            {
                var grad = store[$"experts.{e}.{s}.1.weight"].Grad;
                var moved = grad is not null && grad.Abs().Sum().Item<float>() > 0;
                var routed = routing == MedMoeRouting.None || used[e, s] > 0;
                Assert.True(moved == routed, $"expert {e} at scale {s}: routed weight {used[e, s]}, gradient {(moved ? "nonzero" : "zero")}");
            }
            Assert.Contains(Enumerable.Range(0, model.Experts), e => routing == MedMoeRouting.None || used[e, s] > 0);
        }
    }

    [Fact]
    public void InferenceRoutesByThePredictedModality()
    {
        using var scope = Libtorch.NewScope();
        var model = Small().Compile();
        using var g = new Generator(11);
        var net = MedMoeNet.Create(model, g);
        using var store = net.Params;
        var image = Libtorch.Randn([2, 3, 64, 64], g);
        using var noGrad = Autograd.NoGrad();
        using var predicted = net.EncodeImage(image, null, ForwardContext.Eval);
        // routing by the predicted probabilities is routing by that soft label: compare with the router given them
        var p = store.View("");
        var q = predicted.ModalityLogits.Softmax(-1);
        var router = model.Router!;
        var c = model.Vision.Trunk(p.At("vis_enc"), image, ForwardContext.Eval);
        var (_, maps) = model.Vision.Pyramid(p.At("vis_enc"), c, ForwardContext.Eval, keepMaps: true);
        var regions = Libtorch.Cat(Enumerable.Range(0, 4).Select(s => Msve.PoolTokens(maps![s], model.ScaleGrid)).ToArray(), 1);
        var (probs, _, _) = router.Route(p.At("router"), regions, q, ForwardContext.Eval);
        Assert.True(probs.AllClose(predicted.RoutingProbs!, 1e-5, 1e-6));
        // and a one-hot label routes differently from the other label
        using var asCt = net.EncodeImage(image, Tensor.From(new long[] { 0, 0 }), ForwardContext.Eval);
        using var asXray = net.EncodeImage(image, Tensor.From(new long[] { 1, 1 }), ForwardContext.Eval);
        Assert.False(asCt.RoutingProbs!.AllClose(asXray.RoutingProbs!, 1e-4, 1e-5));
    }

    [Fact]
    public void BindingRefusesAStoreOfAnotherVariant()
    {
        using var g = new Generator(1);
        using var store = ParamInit.Create(Small(MedMoeRouting.None).Compile(), g);
        Assert.Throws<CheckpointMismatchException>(() => new MedMoeNet(Small().Compile(), store));
    }
}

using Xunit;
using Micar.Layers;

namespace Micar.Tests.Layers;

/// <summary>Per-block parameter counts of the COVCTR configuration (reference §3) and block structure.</summary>
public class BlockTests
{
    private const WeightInit X = WeightInit.XavierUniform;
    private static MdlaSelfAttention Sa() => new(512, 8, 768, 48, 48, 0.12, AttentionScale.PerHead, X);
    private static GatedFfn Ffn() => new(512, 2048, Activation.Silu, 0.1, X);
    private static GatedFusion Fusion() => new(512, Activation.Silu, 0.1, new MdlaCrossAttention(512, 8, 768, 48, 48, 0.12, AttentionScale.PerHead, X), X);
    private static Moe Moe(MoeDispatch dispatch = MoeDispatch.Dense) =>
        new(512, 2048, 8, 2, Activation.Silu, 0.1, MoeCombine.Sum, dispatch, 0.01, X);

    [Fact]
    public void FeedForwardHasThreeBiasFreeLinears()
    {
        Assert.Equal(["w1.weight [2048, 512]", "w2.weight [512, 2048]", "w3.weight [2048, 512]"],
            Ffn().Parameters().Select(p => $"{p.Name} {p.Shape}"));
        Assert.Equal(3_145_728, Ffn().ParameterCount());
        Assert.Equal(2L * 49 * 3 * 512 * 2048, Ffn().Flops(new Shape(1, 49, 512)));
    }

    [Fact]
    public void EncoderBlockCountMatchesTheReference()
    {
        var b = EncoderBlock.Create(Sa(), Ffn());
        Assert.Equal(4_080_844, b.ParameterCount());
        Assert.Equal(["norm_sa", "self_attention", "norm_ff", "ff"], b.Children.Select(c => c.Name));
        Assert.Equal(new Shape(3, 49, 512), b.OutputShape(new Shape(3, 49, 512)));
    }

    [Fact]
    public void GatedFusionCountAndKeys()
    {
        Assert.Equal(3_100_876, Fusion().ParameterCount());
        var keys = Fusion().Parameters().Select(p => p.Name).Where(k => !k.StartsWith("cross_attention")).ToList();
        Assert.Equal(
        [
            "norm1.weight", "norm2.weight", "norm3.weight", "gate.0.weight", "gate.0.bias", "gate.2.weight", "gate.2.bias",
            "global_proj.weight", "global_proj.bias", "fusion.0.weight", "fusion.0.bias", "fusion.3.weight", "fusion.3.bias",
        ], keys);
        // gate and fusion MLPs on the 80 text tokens, global_proj on one pooled token
        long mlps = 2L * 80 * (1024 * 512 + 512 * 512 + 1536 * 512 + 512 * 512) + 2L * 1024 * 512;
        var t = new ShapeTracer();
        t.Run(Fusion(), new Shape(1, 80, 512), new Shape(1, 49, 512));
        Assert.Equal(mlps, t.FlopsUnder("gate") + t.FlopsUnder("fusion") + t.FlopsUnder("global_proj"));
        Assert.Equal(new Shape(1, 1, 512), t.Find("global_proj")!.Output);
    }

    [Fact]
    public void MoeCountKeysAndDispatch()
    {
        Assert.Equal(25_169_920, Moe().ParameterCount());
        var keys = Moe().Parameters().Select(p => p.Name).ToList();
        Assert.Equal("experts.0.w1.weight", keys[0]);
        Assert.Equal("experts.7.w3.weight", keys[^2]);
        Assert.Equal("gate.gate.weight", keys[^1]);
        var x = new Shape(1, 80, 512);
        long expert = 2L * 80 * 3 * 512 * 2048;
        long router = 2L * 80 * 512 * 8;
        Assert.Equal(8 * expert + router, Moe().Flops(x));
        Assert.Equal(2 * expert + router, Moe(MoeDispatch.Sparse).Flops(x)); // k/E = 2/8 of the dense expert cost
        Assert.Equal(x, Moe().OutputShape(x));
    }

    [Fact]
    public void MoeValidationNamesTheField()
    {
        var bad = Moe() with { TopK = 9 };
        // Checked once, by the router that uses it.
        var e = Assert.Single(bad.Validate());
        Assert.Equal(("gate", "MoeRouter.TopK 9 exceeds MoeRouter.Experts 8"), (e.Path, e.Message));
        Assert.Equal("Moe.BalanceLossWeight -1 must not be negative", (Moe() with { BalanceLossWeight = -1 }).Validate().Single().Message);
    }

    [Fact]
    public void DecoderBlockNamesFollowTheFeedForward()
    {
        var withMoe = DecoderBlock.Create(Sa(), Fusion(), Moe());
        Assert.Equal(29_205_912, withMoe.ParameterCount());
        Assert.Equal(["norm_sa", "self_attention", "gated_fusion", "norm_moe", "moe"], withMoe.Children.Select(c => c.Name));
        var dense = DecoderBlock.Create(Sa(), Fusion(), Ffn());
        Assert.Equal(["norm_sa", "self_attention", "gated_fusion", "norm_ff", "ff"], dense.Children.Select(c => c.Name));
        Assert.Equal(new Shape(2, 80, 512), dense.OutputShape(new Shape(2, 80, 512), new Shape(2, 49, 512), new Shape(2, 80, 80)));
    }

    [Fact]
    public void BlockValidationFindsMismatchedWidths()
    {
        var b = EncoderBlock.Create(Sa(), Ffn() with { DModel = 256 });
        Assert.Equal(["EncoderBlock.Ff.DModel 256 does not match SelfAttention.DModel 512"], b.Validate().Select(e => e.Message));
        var d = DecoderBlock.Create(Sa(), Fusion(), Moe() with { DModel = 256 });
        Assert.Contains("DecoderBlock.FeedForward.DModel 256 does not match SelfAttention.DModel 512", d.Validate().Select(e => e.Message));
    }

    [Fact]
    public void StacksNestTheirBlocksUnderLayers()
    {
        var enc = new Encoder([EncoderBlock.Create(Sa(), Ffn()), EncoderBlock.Create(Sa(), Ffn())]);
        var keys = enc.Parameters("encoder").Select(p => p.Name).ToList();
        Assert.Equal("encoder.layers.0.norm_sa.weight", keys[0]);
        Assert.Equal("encoder.layers.1.ff.w3.weight", keys[^1]);
        var dec = new Decoder([DecoderBlock.Create(Sa(), Fusion(), Moe())]);
        Assert.Contains("decoder.layers.0.gated_fusion.cross_attention.wo.weight", dec.Parameters("decoder").Select(p => p.Name));
        Assert.Equal(new Shape(1, 80, 512), dec.OutputShape(new Shape(1, 80, 512), new Shape(1, 49, 512)));
    }

    [Fact]
    public void DescriptionsAreValues()
    {
        Assert.Equal(DecoderBlock.Create(Sa(), Fusion(), Moe()), DecoderBlock.Create(Sa(), Fusion(), Moe()));
        Assert.Equal(new Encoder([EncoderBlock.Create(Sa(), Ffn())]), new Encoder([EncoderBlock.Create(Sa(), Ffn())]));
        Assert.NotEqual(Sa(), Sa() with { Scale = AttentionScale.Latent });
    }

    [Fact]
    public void CaptionModelChecksHowItsPartsFitTogether()
    {
        var vision = new Msve(new ResNet(18), 64);
        var model = new CaptionModel(vision, new Sequential(new RmsNorm(64), new Linear(64, 512)),
            new Encoder([EncoderBlock.Create(Sa(), Ffn())]), new TextEmbedding(229, 512, 80, 0.1),
            new Decoder([DecoderBlock.Create(Sa(), Fusion(), Moe())]), new Sequential(new RmsNorm(512), new Linear(512, 229, Bias: false)));
        Assert.Empty(model.Validate());
        Assert.Equal(new Shape(2, 80, 229), model.OutputShape(new Shape(2, 3, 128, 128), new Shape(2, 80)));

        var wrongProj = model with { Proj = new Sequential(new RmsNorm(128), new Linear(128, 512)) };
        var error = Assert.Single(wrongProj.Validate());
        Assert.StartsWith("CaptionModel.Proj does not accept [1, 49, 64]: 0: RmsNorm input [1, 49, 64] must have size 128", error.Message);
        var wrongHead = model with { GenLogits = new Sequential(new RmsNorm(512), new Linear(512, 230, Bias: false)) };
        Assert.Equal("CaptionModel.GenLogits maps [1, 80, 512] to [1, 80, 230], expected [1, 80, 229]", Assert.Single(wrongHead.Validate()).Message);
    }
}

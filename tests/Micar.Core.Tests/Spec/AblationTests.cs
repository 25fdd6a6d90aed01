using Micar.Layers;
using Micar.Spec;
using Xunit;

namespace Micar.Tests.Spec;

public class AblationTests
{
    private static readonly ModelSpec Base = Presets.Get("official-covctr");

    private static List<string> Keys(ModelSpec s) => s.Compile().Parameters().Select(p => p.Name).ToList();

    [Fact]
    public void WithoutBalanceLossChangesOnlyTheWeight()
    {
        var ablated = Ablations.WithoutBalanceLoss(Base);
        Assert.Equal(Base with { Name = "official-covctr-no-balance-loss", Moe = Base.Moe with { BalanceLossWeight = 0 } }, ablated);
        Assert.Equal(Keys(Base), Keys(ablated));
        var moe = Assert.IsType<Moe>(ablated.Compile().Decoder.Blocks[0].FeedForward);
        Assert.Equal(0, moe.BalanceLossWeight);
    }

    [Fact]
    public void WithoutMoeSwapsExpertsForOneDenseFeedForward()
    {
        var ablated = Ablations.WithoutMoe(Base);
        Assert.Equal(Base with { Name = "official-covctr-no-moe", Moe = Base.Moe with { Enabled = false } }, ablated);
        var before = Keys(Base);
        var after = Keys(ablated);
        var removed = before.Except(after).ToList();
        var added = after.Except(before).ToList();
        Assert.All(removed, k => Assert.Matches(@"^decoder\.layers\.\d\.(moe\.|norm_moe\.)", k));
        Assert.Equal(2 * (8 * 3 + 1 + 1), removed.Count); // experts × (w1, w2, w3), router, norm_moe; two layers
        Assert.Equal(
        [
            "decoder.layers.0.norm_ff.weight", "decoder.layers.0.ff.w1.weight", "decoder.layers.0.ff.w2.weight", "decoder.layers.0.ff.w3.weight",
            "decoder.layers.1.norm_ff.weight", "decoder.layers.1.ff.w1.weight", "decoder.layers.1.ff.w2.weight", "decoder.layers.1.ff.w3.weight",
        ], added);
        Assert.Equal(Base.Compile().ParameterCount() - 2 * (25_169_920 - 3_145_728), ablated.Compile().ParameterCount());
    }

    [Fact]
    public void WithoutLatentEncoderRemovesTheEncoder()
    {
        var ablated = Ablations.WithoutLatentEncoder(Base);
        Assert.Equal(Base with { Name = "official-covctr-no-latent-encoder", LatentEncoder = false }, ablated);
        Assert.Equal(Keys(Base).Where(k => !k.StartsWith("encoder.")), Keys(ablated));
        var model = ablated.Compile();
        Assert.Null(model.Encoder);
        Assert.Equal(new Shape(1, 80, 229), model.OutputShape(ablated.InputShapes()));
    }

    [Fact]
    public void WithoutMsvePoolsTheLastStage()
    {
        var ablated = Ablations.WithoutMsve(Base);
        Assert.Equal(Base with { Name = "official-covctr-no-msve", Vision = Base.Vision with { UseMsve = false, DV = 2048 } }, ablated);
        Assert.Equal(Keys(Base).Where(k => !k.StartsWith("vis_enc.fpn_") && !k.StartsWith("vis_enc.fusion.")), Keys(ablated));
        var tiny = Ablations.WithoutMsve(Presets.Get("tiny"));
        Assert.Equal(512, tiny.Vision.DV);
        var rows = tiny.Compile().Parameters().Where(p => p.Name.StartsWith("proj.")).Select(p => p.ToTsvRow());
        Assert.Equal(["proj.0.weight\t[512]\tfloat32\tparam", "proj.1.weight\t[128, 512]\tfloat32\tparam", "proj.1.bias\t[128]\tfloat32\tparam"], rows);
        var s = tiny.Describe();
        Assert.Equal(new Shape(1, 49, 512), s.Row("vis_enc")!.OutputShape);
        Assert.True(s.Totals.Flops < Presets.Get("tiny").Describe().Totals.Flops);
    }

    [Fact]
    public void AblationsCompose()
    {
        var both = Ablations.WithoutMsve(Ablations.WithoutMoe(Presets.Get("tiny")));
        Assert.Equal(both, Presets.Get("tiny-no-moe-no-msve"));
        Assert.Empty(both.Validate());
    }
}

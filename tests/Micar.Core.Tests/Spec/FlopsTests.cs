using Micar.Layers;
using Micar.Spec;
using Xunit;

namespace Micar.Tests.Spec;

/// <summary>Forward FLOPs of COVCTR at 224 px, T = 80, one image (reference §12), within 1 %.</summary>
public class FlopsTests
{
    private static readonly ModelSummary Covctr = Presets.Get("official-covctr").Describe(batch: 1);

    private static double G(long flops) => flops / 1e9;

    private static long Under(ModelSummary s, Func<string, bool> pick) =>
        s.Rows.Where(r => pick(r.Path) && !s.Rows.Any(o => o != r && pick(o.Path) && r.Path.StartsWith(o.Path + "."))).Sum(r => r.Flops);

    private static void Near(double expected, double actual, double relative = 0.01) =>
        Assert.True(Math.Abs(actual - expected) <= relative * expected, $"expected ≈ {expected}, got {actual}");

    [Fact]
    public void TotalIsAbout268Point7Gflop() => Near(268.7, G(Covctr.Totals.Flops));

    [Fact]
    public void PerBlockNumbersMatchTheReferenceTable()
    {
        long P(string path) => Covctr.Row(path)!.Flops;
        Near(236.8, G(P("vis_enc.fusion")));
        Near(15.6, G(P("vis_enc.layer1") + P("vis_enc.layer2") + P("vis_enc.layer3") + P("vis_enc.layer4")));
        Near(8.05, G(Under(Covctr, p => p.EndsWith(".moe.experts"))));
        Near(3.29, G(P("vis_enc.fpn_c2")));
        Near(1.64, G(P("vis_enc.fpn_c3")));
        Near(0.82, G(P("vis_enc.fpn_c4")));
        Near(0.41, G(P("vis_enc.fpn_c5")));
        Near(0.62, G(Under(Covctr, p => p.StartsWith("encoder.layers.") && p.EndsWith(".ff"))));
        Near(0.59, G(Under(Covctr, p => p.EndsWith(".gated_fusion.gate") || p.EndsWith(".gated_fusion.fusion"))));
        var counted = P("vis_enc") + Under(Covctr, p => p.EndsWith(".moe.experts"))
                      + Under(Covctr, p => p.StartsWith("encoder.layers.") && p.EndsWith(".ff"))
                      + Under(Covctr, p => p.EndsWith(".gated_fusion.gate") || p.EndsWith(".gated_fusion.fusion"));
        Near(0.89, G(Covctr.Totals.Flops - counted), 0.02); // attention, router, global_proj, proj and logits
    }

    [Fact]
    public void ExactTrunkAndFusionCounts()
    {
        Assert.Equal(15_598_714_880L, new[] { 1, 2, 3, 4 }.Sum(i => Covctr.Row($"vis_enc.layer{i}")!.Flops)); // torchvision hooks
        Assert.Equal(2L * 2048 * 2048 * 9 * 56 * 56, Covctr.Row("vis_enc.fusion")!.Flops);
        Assert.Equal(2L * 2 * 8 * 80 * 3 * 512 * 2048, Under(Covctr, p => p.EndsWith(".moe.experts")));
    }

    [Fact]
    public void SparseDispatchCutsExpertFlopsFourfold()
    {
        var paper = Presets.Get("paper-covctr").Describe();
        Near(2.01, G(Under(paper, p => p.EndsWith(".moe.experts"))));
        Assert.Equal(Covctr.Totals.Flops - 3 * Under(paper, p => p.EndsWith(".moe.experts")), paper.Totals.Flops);
    }

    [Fact]
    public void FlopsScaleWithTheBatch()
    {
        var two = Presets.Get("official-covctr").Describe(batch: 2);
        Assert.Equal(2 * Covctr.Totals.Flops, two.Totals.Flops);
        Assert.Equal(new Shape(2, 80, 229), two.Output);
    }
}

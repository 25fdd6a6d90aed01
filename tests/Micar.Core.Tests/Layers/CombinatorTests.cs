using Xunit;
using Micar.Layers;

namespace Micar.Tests.Layers;

public class CombinatorTests
{
    [Fact]
    public void SequentialNamesItemsByIndexAndThreadsShapes()
    {
        var mlp = new Sequential(new Linear(8, 16), new Act(Activation.Gelu), new Dropout(0.1), new Linear(16, 4));
        Assert.Equal(["0.weight", "0.bias", "3.weight", "3.bias"], mlp.Parameters().Select(p => p.Name));
        Assert.Equal(new Shape(5, 4), mlp.OutputShape(new Shape(5, 8)));
        Assert.Equal(2L * 5 * (8 * 16 + 16 * 4), mlp.Flops(new Shape(5, 8)));
        var e = Assert.Throws<ShapeException>(() => mlp.OutputShape(new Shape(5, 9)));
        Assert.StartsWith("0: Linear input [5, 9]", e.Message);
    }

    [Fact]
    public void PreNormResidualInANamedScopeGivesOfficialStyleKeys()
    {
        var block = new Scope("decoder.layers.0",
            new Residual(new PreNorm(new RmsNorm(8), new Linear(8, 8, Bias: false), "norm_sa", "self_attention")));
        Assert.Equal(["decoder.layers.0.norm_sa.weight", "decoder.layers.0.self_attention.weight"],
            block.Parameters().Select(p => p.Name));
        Assert.Equal(new Shape(2, 3, 8), block.OutputShape(new Shape(2, 3, 8)));
        var t = new ShapeTracer();
        t.Run(block, new Shape(2, 3, 8));
        Assert.Equal(2L * 2 * 3 * 8 * 8, t.FlopsUnder("decoder.layers.0.self_attention"));
        Assert.Equal(t.TotalFlops, t.FlopsUnder("decoder"));
    }

    [Fact]
    public void ResidualRejectsABranchThatChangesTheShape()
    {
        var e = Assert.Throws<ShapeException>(() => new Residual(new Linear(8, 4)).OutputShape(new Shape(1, 8)));
        Assert.Equal("Residual branch output [1, 4] does not match its input [1, 8]", e.Message);
    }

    [Fact]
    public void DuplicateKeysAreReported()
    {
        Assert.Equal(["PreNorm.NormName and InnerName are both 'norm'"],
            new PreNorm(new RmsNorm(4), new RmsNorm(4), "norm", "norm").Validate().Select(e => e.Message));
        // distinct segments can still collide once dotted names are expanded
        var clash = new PreNorm(new Scope("w", new RmsNorm(4)), new RmsNorm(4), "n", "n.w");
        Assert.Equal(["n.w.weight: duplicate state-dict key 'n.w.weight'"], clash.Validate().Select(e => e.ToString()));
    }

    [Fact]
    public void ErrorsAreLocatedByPath()
    {
        var net = new Scope("head", new Sequential(new RmsNorm(0), new Linear(8, -1)));
        Assert.Equal(["head.0: RmsNorm.Dim 0 must be positive", "head.1: Linear.OutFeatures -1 must be positive"],
            net.Validate().Select(e => e.ToString()));
        var ex = Assert.Throws<LayerValidationException>(() => net.EnsureValid());
        Assert.Contains("head.1: Linear.OutFeatures -1 must be positive", ex.Message);
    }

    [Fact]
    public void LayerListIsAContainerOnly()
    {
        var list = new LayerList(new Linear(2, 2), new Linear(2, 2));
        Assert.Equal(["0.weight", "0.bias", "1.weight", "1.bias"], list.Parameters().Select(p => p.Name));
        Assert.Throws<ShapeException>(() => list.OutputShape(new Shape(1, 2)));
    }
}

using Xunit;
using Micar.Layers;
using Micar.Torch;

namespace Micar.Tests.Layers;

public class LeafLayerTests
{
    [Fact]
    public void LinearListsWeightAndBiasWithInitializers()
    {
        var p = new Linear(2048, 512).Parameters("proj.1").ToList();
        Assert.Equal(["proj.1.weight\t[512, 2048]\tfloat32\tparam", "proj.1.bias\t[512]\tfloat32\tparam"], p.Select(x => x.ToTsvRow()));
        Assert.Equal(new Initializer.UniformFanIn(2048), p[0].Init);
        Assert.Equal(1 / Math.Sqrt(2048), ((Initializer.UniformFanIn)p[1].Init).Bound, 15);
        Assert.Equal(1_049_088, new Linear(2048, 512).ParameterCount());

        var x = new Linear(512, 229, Bias: false, WeightInit.XavierUniform).Parameters().Single();
        Assert.Equal(new Initializer.XavierUniform(512, 229), x.Init);
        Assert.Equal(Math.Sqrt(6.0 / (512 + 229)), ((Initializer.XavierUniform)x.Init).Bound, 15);
    }

    [Fact]
    public void LinearShapeAndFlops()
    {
        var l = new Linear(512, 229, Bias: false);
        Assert.Equal(new Shape(3, 80, 229), l.OutputShape(new Shape(3, 80, 512)));
        Assert.Equal(2L * 512 * 229 * 3 * 80, l.Flops(new Shape(3, 80, 512)));
        var e = Assert.Throws<ShapeException>(() => l.OutputShape(new Shape(3, 80, 256)));
        Assert.Contains("Linear input [3, 80, 256] must have size 512 in dimension 2", e.Message);
    }

    [Fact]
    public void ConvShapeFlopsAndKeys()
    {
        var stem = new Conv2d(3, 64, 7, 2, 3, Bias: false, ConvInit.KaimingNormalFanOut);
        Assert.Equal(new Shape(2, 64, 112, 112), stem.OutputShape(new Shape(2, 3, 224, 224)));
        Assert.Equal(2L * 2 * 64 * 112 * 112 * 3 * 49, stem.Flops(new Shape(2, 3, 224, 224)));
        Assert.Equal(new Initializer.KaimingNormalFanOut(64 * 49), stem.Parameters().Single().Init);

        var fusion = new Conv2d(2048, 2048, 3, 1, 1, Bias: true);
        // §12: each of the 56×56 output pixels costs 2048·2048·9 multiply-adds.
        Assert.Equal(2L * 2048 * 2048 * 9 * 56 * 56, fusion.Flops(new Shape(1, 2048, 56, 56)));
        Assert.Equal(37_750_784L, fusion.ParameterCount());
        Assert.Equal(new Initializer.UniformFanIn(2048 * 9), fusion.Parameters().Last().Init);
    }

    [Fact]
    public void BatchNormHasInt64ScalarCounter()
    {
        var rows = new BatchNorm2d(64).Parameters("bn1").Select(p => p.ToTsvRow());
        Assert.Equal(
        [
            "bn1.weight\t[64]\tfloat32\tparam", "bn1.bias\t[64]\tfloat32\tparam",
            "bn1.running_mean\t[64]\tfloat32\tbuffer", "bn1.running_var\t[64]\tfloat32\tbuffer",
            "bn1.num_batches_tracked\t[]\tint64\tbuffer",
        ], rows);
        Assert.Equal(128, new BatchNorm2d(64).ParameterCount());
        Assert.Equal(DType.Int64, new BatchNorm2d(64).Parameters().Last().DType);
    }

    [Fact]
    public void TextEmbeddingOwnsTableAndPositionBuffer()
    {
        var t = new TextEmbedding(229, 512, 80, 0.1, WeightInit.XavierUniform);
        var p = t.Parameters("text_embs").ToList();
        Assert.Equal(["text_embs.embedding.weight\t[229, 512]\tfloat32\tparam", "text_embs.pe.pe\t[1, 80, 512]\tfloat32\tbuffer"],
            p.Select(x => x.ToTsvRow()));
        Assert.Equal(new Initializer.XavierUniform(512, 229), p[0].Init); // fan_in = size(1), fan_out = size(0)
        Assert.Equal(new Initializer.Sinusoidal(80, 512), p[1].Init);
        Assert.Equal(117_248, t.ParameterCount()); // §3: 229 × 512, the buffer is not a parameter
        Assert.Equal(Math.Sqrt(512), t.Scale);
        Assert.Equal(new Shape(4, 60, 512), t.OutputShape(new Shape(4, 60)));
        Assert.Equal(0, t.Flops(new Shape(4, 60)));
        var e = Assert.Throws<ShapeException>(() => t.OutputShape(new Shape(4, 81)));
        Assert.Equal("pe: SinusoidalPositions input length 81 exceeds MaxLength 80", e.Message);
    }

    [Fact]
    public void RopeFreqsAreAFrozenParameterOfQuarterWidth()
    {
        var r = new Rope(48);
        Assert.Equal((24, 12, 24), (r.RotaryDim, r.FrequencyCount, r.RotatedWidth));
        var f = r.Parameters("rope").Single();
        Assert.Equal("rope.freqs\t[12]\tfloat32\tfrozen-param", f.ToTsvRow());
        Assert.Equal(new Initializer.RopeFrequencies(24, 10000), f.Init);
        Assert.Equal(3, new Rope(12).FrequencyCount);
        Assert.Equal(2, new Rope(6).RotatedWidth); // dim 3 → one pair rotated
    }

    [Fact]
    public void RmsNormChecksItsWidth()
    {
        Assert.Equal("n.weight\t[192]\tfloat32\tparam", new RmsNorm(192).Parameters("n").Single().ToTsvRow());
        Assert.Equal(new Initializer.Ones(), new RmsNorm(192).Tensors[0].Init);
        Assert.Throws<ShapeException>(() => new RmsNorm(192).OutputShape(new Shape(1, 2, 191)));
        Assert.Equal(["RmsNorm.Dim 0 must be positive"], new RmsNorm(0).Validate().Select(e => e.Message));
    }

    [Fact]
    public void PoolingShapes()
    {
        Assert.Equal(new Shape(1, 64, 56, 56), new MaxPool2d(3, 2, 1).OutputShape(new Shape(1, 64, 112, 112)));
        Assert.Equal(new Shape(1, 64, 7, 7), new AdaptiveAvgPool2d(7, 7).OutputShape(new Shape(1, 64, 56, 56)));
        Assert.Equal(new Shape(1, 64, 7, 7), new AdaptiveAvgPool2d(7, 7).OutputShape(new Shape(1, 64, 4, 4)));
    }
}

using Xunit;
using Micar.Layers;

namespace Micar.Tests.Layers;

public class AttentionTests
{
    private static MdlaSelfAttention Covctr(int latent = 768, int heads = 8, int nope = 48, int rope = 48) =>
        new(512, heads, latent, nope, rope, 0.12, AttentionScale.PerHead, WeightInit.XavierUniform);

    [Fact]
    public void SelfAttentionKeysAndCountMatchTheReference()
    {
        var sa = Covctr();
        Assert.Equal(
        [
            "self_attention.qkv_down_norm_up.0.weight\t[192, 512]\tfloat32\tparam",
            "self_attention.qkv_down_norm_up.1.weight\t[192]\tfloat32\tparam",
            "self_attention.qkv_down_norm_up.2.weight\t[2304, 192]\tfloat32\tparam",
            "self_attention.rope.freqs\t[12]\tfloat32\tfrozen-param",
            "self_attention.wo.weight\t[512, 768]\tfloat32\tparam",
        ], sa.Parameters("self_attention").Select(p => p.ToTsvRow()));
        Assert.Equal(934_092, sa.ParameterCount()); // §3, including the 12 freqs
        Assert.Equal(934_080, sa.TrainableCount());
        Assert.Equal((64, 96), (sa.DownDim, sa.HeadDim));
    }

    [Fact]
    public void CrossAttentionHasSeparateQueryAndKeyValuePaths()
    {
        var ca = new MdlaCrossAttention(512, 8, 768, 48, 48);
        Assert.Equal(
        [
            "q_down_norm_up.0.weight [64, 512]", "q_down_norm_up.1.weight [64]", "q_down_norm_up.2.weight [768, 64]",
            "kv_down_norm_up.0.weight [128, 512]", "kv_down_norm_up.1.weight [128]", "kv_down_norm_up.2.weight [1536, 128]",
            "rope.freqs [12]", "wo.weight [512, 768]",
        ], ca.Parameters().Select(p => $"{p.Name} {p.Shape}"));
        Assert.Equal(new Shape(2, 80, 512), ca.OutputShape(new Shape(2, 80, 512), new Shape(2, 49, 512)));
    }

    [Fact]
    public void SelfAttentionFlopsAreProjectionsPlusTwoScoreMatmulsPlusValues()
    {
        long s = 49;
        long projections = 2 * s * (512 * 192 + 192 * 2304 + 768 * 512);
        long matmuls = 2 * 8 * s * s * (48 + 48) + 2 * 8 * s * s * 96;
        Assert.Equal(projections + matmuls, Covctr().Flops(new Shape(1, 49, 512)));
    }

    [Fact]
    public void CrossAttentionFlops()
    {
        long t = 80, n = 49;
        long q = 2 * t * (512 * 64 + 64 * 768);
        long kv = 2 * n * (512 * 128 + 128 * 1536);
        long wo = 2 * t * 768 * 512;
        long matmuls = 2 * 8 * t * n * 96 * 2;
        Assert.Equal(q + kv + wo + matmuls, new MdlaCrossAttention(512, 8, 768, 48, 48).Flops(new Shape(1, t, 512), new Shape(1, n, 512)));
    }

    [Fact]
    public void ScaleIsPerHeadOrLatent()
    {
        Assert.Equal(1 / Math.Sqrt(96), Covctr().ScaleFactor);
        Assert.Equal(1 / Math.Sqrt(768), (Covctr() with { Scale = AttentionScale.Latent }).ScaleFactor);
    }

    [Fact]
    public void ValidationNamesTheField()
    {
        Assert.Contains("Mdla.LatentDim 770 is not divisible by Heads 8", Covctr(latent: 770).Validate().Select(e => e.Message));
        var wrongSplit = Covctr(rope: 40).Validate().Select(e => e.Message).Single();
        Assert.Equal("Mdla.LatentDim/Heads = 768/8 = 96 must equal QkNopeDim + QkRopeDim = 48 + 40 = 88", wrongSplit);
        Assert.Contains("Mdla.DModel 512 is not divisible by Heads 7", Covctr(heads: 7).Validate().Select(e => e.Message));
        Assert.Empty(Covctr().Validate());
        Assert.Equal("Mdla.Heads 0 must be positive", Covctr(heads: 0).Validate().First().Message);
    }

    [Fact]
    public void MaskMustMatchTheSequence()
    {
        Assert.Equal(new Shape(2, 80, 512), Covctr().OutputShape(new Shape(2, 80, 512), new Shape(2, 80, 80)));
        var e = Assert.Throws<ShapeException>(() => Covctr().OutputShape(new Shape(2, 80, 512), new Shape(2, 80, 79)));
        Assert.Contains("mask [2, 80, 79] must end in [80, 80]", e.Message);
    }
}

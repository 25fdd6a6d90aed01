using Micar.Layers;
using Micar.Spec;
using Micar.Tests.Layers;
using Xunit;

namespace Micar.Tests.Spec;

/// <summary>The compiled official presets list exactly the reference state dicts (§3), in order.</summary>
public class OfficialStateDictTests
{
    [Theory]
    [InlineData("official-covctr", "official-state-dict-covctr.tsv")]
    [InlineData("official-tiny", "official-state-dict-tiny.tsv")]
    public void KeysShapesDtypesAndKindsEqualTheReference(string preset, string tsv)
    {
        var expected = ReferenceTsv.Rows("reference", tsv);
        var actual = Presets.Get(preset).Compile().Parameters().Select(p => p.ToTsvRow()).ToList();
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++) Assert.Equal(expected[i], actual[i]); // first difference, with its index
    }

    [Theory]
    [InlineData("official-covctr", 156_003_592L, 792)]
    [InlineData("official-mmr", 191_150_956L, 855)]
    [InlineData("official-pgross", 190_775_148L, 855)]
    [InlineData("official-roco", 206_197_612L, 855)]
    [InlineData("official-tiny", 42_924_082L, 768)]
    public void ParameterCountsEqualTheReference(string preset, long parameters, int keys)
    {
        var model = Presets.Get(preset).Compile();
        Assert.Equal(parameters, model.ParameterCount());
        Assert.Equal(keys, model.Parameters().Count());
    }

    [Fact]
    public void CovctrKindsAndStateDictSize()
    {
        var all = Presets.Get("official-covctr").Compile().Parameters().ToList();
        Assert.Equal(458, all.Count(p => p.Kind == ParamKind.Param));
        Assert.Equal(6, all.Count(p => p.Kind == ParamKind.FrozenParam));
        Assert.Equal(328, all.Count(p => p.Kind == ParamKind.Buffer));
        Assert.Equal(156_003_520L, all.Where(p => p.IsTrainable).Sum(p => p.Numel));
        Assert.Equal(156_170_485L, all.Sum(p => p.Numel)); // "state-dict values"
    }

    [Fact]
    public void CovctrParameterBreakdownMatchesTheReference()
    {
        var s = Presets.Get("official-covctr").Describe();
        long P(string path) => s.Row(path)!.Parameters;
        Assert.Equal(42_500_160L, new[] { "vis_enc.layer1", "vis_enc.layer2", "vis_enc.layer3", "vis_enc.layer4" }.Sum(P));
        Assert.Equal(37_754_880L, P("vis_enc.fusion"));
        Assert.Equal(1_051_136L, P("proj"));
        Assert.Equal(117_248L, P("text_embs"));
        Assert.Equal(4_080_844L, P("encoder.layers.0"));
        Assert.Equal(29_205_912L, P("decoder.layers.1"));
        Assert.Equal(25_169_920L, P("decoder.layers.1.moe"));
        Assert.Equal(117_760L, P("gen_logits"));
    }

    [Fact]
    public void InitializersFollowTheOfficialConstructor()
    {
        var p = Presets.Get("official-covctr").Compile().Parameters().ToDictionary(x => x.Name, x => x.Init);
        Assert.Equal(new Initializer.XavierUniform(2048, 512), p["proj.1.weight"]);
        Assert.Equal(new Initializer.UniformFanIn(2048), p["proj.1.bias"]);
        Assert.Equal(new Initializer.Ones(), p["proj.0.weight"]);
        Assert.Equal(new Initializer.XavierUniform(512, 229), p["text_embs.embedding.weight"]);
        Assert.Equal(new Initializer.Sinusoidal(80, 512), p["text_embs.pe.pe"]);
        Assert.Equal(new Initializer.XavierUniform(512, 8), p["decoder.layers.0.moe.gate.gate.weight"]);
        Assert.Equal(new Initializer.UniformFanIn(1024), p["decoder.layers.0.gated_fusion.gate.0.bias"]);
        Assert.Equal(new Initializer.RopeFrequencies(24, 10000), p["encoder.layers.1.self_attention.rope.freqs"]);
        Assert.Equal(new Initializer.KaimingNormalFanOut(64 * 49), p["vis_enc.layer1.0.weight"]);
        Assert.Equal(new Initializer.UniformFanIn(2048 * 9), p["vis_enc.fusion.0.weight"]);
        Assert.Equal(new Initializer.Zeros(), p["vis_enc.fusion.1.bias"]);
        Assert.Equal(new Initializer.Ones(), p["vis_enc.fpn_c3.1.running_var"]);
    }
}

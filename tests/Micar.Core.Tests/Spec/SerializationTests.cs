using Micar.Layers;
using Micar.Spec;
using Xunit;

namespace Micar.Tests.Spec;

public class SerializationTests
{
    public static TheoryData<string> AllPresets() => [.. Presets.Names];

    [Theory]
    [MemberData(nameof(AllPresets))]
    public void JsonRoundTripIsIdentity(string name)
    {
        var spec = Presets.Get(name);
        var json = SpecSerializer.ToJson(spec);
        Assert.Equal(spec, SpecSerializer.FromJson(json));
        Assert.Equal(json, SpecSerializer.ToJson(SpecSerializer.FromJson(json)));
    }

    [Theory]
    [MemberData(nameof(AllPresets))]
    public void YamlRoundTripIsIdentity(string name)
    {
        var spec = Presets.Get(name);
        var yaml = SpecSerializer.ToYaml(spec);
        Assert.Equal(spec, SpecSerializer.FromYaml(yaml));
        Assert.Equal(yaml, SpecSerializer.ToYaml(SpecSerializer.FromYaml(yaml)));
    }

    [Fact]
    public void JsonUsesCamelCaseAndEnumStrings()
    {
        var json = SpecSerializer.ToJson(Presets.Get("paper-covctr"));
        foreach (var fragment in new[]
                 {
                     "\"dModel\": 512", "\"dLatent\": 768", "\"qkNopeDim\": 48", "\"dFf\": 2048", "\"dV\": 2048",
                     "\"topK\": 2", "\"combine\": \"weighted\"", "\"dispatch\": \"sparse\"", "\"attentionScale\": \"latent\"",
                     "\"activation\": \"silu\"", "\"balanceLossWeight\": 0.01", "\"visionLr\": 5E-05", "\"seed\": 115111211",
                 })
            Assert.Contains(fragment, json);
        Assert.DoesNotContain("pretrainedWeights", json); // null fields are left out
    }

    [Fact]
    public void YamlIsReadable()
    {
        var yaml = SpecSerializer.ToYaml(Presets.Get("official-tiny"));
        Assert.Contains("dModel: 32", yaml);
        Assert.Contains("activation: telu", yaml);
        Assert.Contains("vocab:\n  dataset: null\n  size: 50\n", yaml.ReplaceLineEndings("\n"));
        Assert.DoesNotContain("...", yaml);
    }

    [Fact]
    public void MissingFieldsTakeDefaults()
    {
        var spec = SpecSerializer.FromYaml("name: mine\nheads: 4\ndLatent: 384\nmoe:\n  topK: 1\n");
        Assert.Equal(new ModelSpec { Name = "mine", Heads = 4, DLatent = 384, Moe = new MoeSpec { TopK = 1 } }, spec);
        Assert.Equal(spec, SpecSerializer.FromJson("{\"name\": \"mine\", \"heads\": 4, \"dLatent\": 384, \"moe\": {\"topK\": 1}}"));
    }

    [Fact]
    public void EnumsAcceptAnyCase()
    {
        Assert.Equal(Activation.Gelu, SpecSerializer.FromYaml("activation: GELU").Activation);
        Assert.Equal(AttentionScale.Latent, SpecSerializer.FromJson("{\"attentionScale\": \"Latent\"}").AttentionScale);
    }

    [Fact]
    public void UnknownYamlFieldNamesFileFieldAndLine()
    {
        var e = Assert.Throws<SpecFormatException>(() => SpecSerializer.FromYaml("name: x\nvision:\n  depth: 50\n  widht: 3\n", "my.yaml"));
        var p = Assert.Single(e.Problems);
        Assert.Equal(("vision.widht", 4), (p.Field, p.Line));
        Assert.StartsWith("my.yaml: field 'vision.widht' (line 4): unknown field; VisionSpec has depth, pretrainedWeights,", e.Message);
    }

    [Fact]
    public void WrongTypesNameTheField()
    {
        var e = Assert.Throws<SpecFormatException>(() => SpecSerializer.FromJson(
            "{\"heads\": \"eight\", \"dropout\": true, \"moe\": {\"combine\": \"mean\", \"experts\": 2.5}, \"vision\": 3}", "spec.json"));
        Assert.Equal(["heads", "dropout", "moe.combine", "moe.experts", "vision"], e.Problems.Select(p => p.Field));
        Assert.Contains("field 'heads': expected an integer (32-bit), got \"eight\"", e.Message);
        Assert.Contains("field 'moe.combine': expected one of weighted, sum, got \"mean\"", e.Message);
        Assert.Contains("field 'vision': expected an object (VisionSpec), got 3", e.Message);
        Assert.StartsWith("spec.json: 5 problems:", e.Message);
    }

    [Fact]
    public void NullIsOnlyAcceptedForOptionalFields()
    {
        Assert.Null(SpecSerializer.FromYaml("vocab:\n  dataset: ~\n  size: 50\n").Vocab.Dataset);
        var e = Assert.Throws<SpecFormatException>(() => SpecSerializer.FromYaml("training: null\n"));
        Assert.Equal(("training", 1), (e.Problems[0].Field, e.Problems[0].Line));
    }

    [Fact]
    public void QuotedYamlScalarsStayStrings()
    {
        var spec = new ModelSpec { Name = "123", Description = "true" };
        var yaml = SpecSerializer.ToYaml(spec);
        Assert.Equal(spec, SpecSerializer.FromYaml(yaml));
        var e = Assert.Throws<SpecFormatException>(() => SpecSerializer.FromYaml("heads: \"8\"\n"));
        Assert.Contains("expected an integer (32-bit), got \"8\"", e.Message);
    }

    [Fact]
    public void SyntaxErrorsNameTheFileAndLine()
    {
        var e = Assert.Throws<SpecFormatException>(() => SpecSerializer.FromJson("{\n\"heads\": 8,\n\"x\" 1}", "bad.json"));
        Assert.StartsWith("bad.json: (line 3): invalid JSON", e.Message);
        var y = Assert.Throws<SpecFormatException>(() => SpecSerializer.FromYaml("a: [1, 2\nb: 3\n", "bad.yaml"));
        Assert.StartsWith("bad.yaml: ", y.Message);
        Assert.Contains("invalid YAML", y.Message);
        Assert.Throws<SpecFormatException>(() => SpecSerializer.FromYaml("heads: 8\nheads: 4\n"));
    }

    [Fact]
    public void FilesLoadBySuffix()
    {
        var dir = Directory.CreateTempSubdirectory("micar-spec-");
        try
        {
            var spec = Presets.Get("tiny-no-moe");
            foreach (var ext in new[] { ".json", ".yaml", ".yml" })
            {
                var path = Path.Combine(dir.FullName, "spec" + ext);
                SpecSerializer.Save(spec, path);
                Assert.Equal(spec, SpecSerializer.Load(path));
                Assert.Equal(spec, Presets.Resolve(path));
            }
            var txt = Path.Combine(dir.FullName, "spec.txt");
            File.WriteAllText(txt, "{}");
            Assert.Contains("unknown spec file extension '.txt'", Assert.Throws<SpecFormatException>(() => SpecSerializer.Load(txt)).Message);
            var bad = Path.Combine(dir.FullName, "bad.yaml");
            File.WriteAllText(bad, "moe:\n  topk: 2\n");
            Assert.StartsWith(bad + ": field 'moe.topk' (line 2): unknown field", Assert.Throws<SpecFormatException>(() => Presets.Resolve(bad)).Message);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}

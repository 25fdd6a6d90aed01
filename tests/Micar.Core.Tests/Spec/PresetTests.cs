using System.Reflection;
using System.Text.Json;
using Micar.Layers;
using Micar.Spec;
using Xunit;

namespace Micar.Tests.Spec;

public class PresetTests
{
    [Fact]
    public void NamesCoverDatasetsFlavoursTinyAndAblations()
    {
        Assert.Equal(
        [
            "official-covctr", "official-mmr", "official-pgross", "official-roco",
            "paper-covctr", "paper-mmr", "paper-pgross", "paper-roco", "official-tiny", "tiny", "paper-tiny",
        ], Presets.BaseNames);
        Assert.Contains("tiny-no-moe", Presets.Names);
        Assert.Contains("official-roco-no-latent-encoder", Presets.Names);
        Assert.Equal(11 * 5, Presets.Names.Count);
        foreach (var name in Presets.Names) Assert.Equal(name, Presets.Get(name).Name);
    }

    [Fact]
    public void OfficialAndPaperFlavoursDifferOnlyInTheirBehaviours()
    {
        foreach (var ds in new[] { "covctr", "mmr", "pgross", "roco" })
        {
            var official = Presets.Get("official-" + ds);
            var paper = Presets.Get("paper-" + ds);
            Assert.Equal((MoeCombine.Sum, MoeDispatch.Dense, AttentionScale.PerHead), (official.Moe.Combine, official.Moe.Dispatch, official.AttentionScale));
            Assert.Equal((MoeCombine.Weighted, MoeDispatch.Sparse, AttentionScale.Latent), (paper.Moe.Combine, paper.Moe.Dispatch, paper.AttentionScale));
            Assert.Equal(official with { Name = paper.Name, Description = paper.Description }, paper with
            {
                Moe = official.Moe, AttentionScale = official.AttentionScale,
            });
            Assert.Equal(official.Compile().ParameterCount(), paper.Compile().ParameterCount());
            Assert.Equal(101, official.Vision.Depth);
        }
    }

    [Fact]
    public void DatasetScriptsAreReproduced()
    {
        var mmr = Presets.Get("official-mmr");
        Assert.Equal((3, 3, Activation.Gelu, 60, 32, "mmretinal"), (mmr.EncoderLayers, mmr.DecoderLayers, mmr.Activation, mmr.TextSeqLen, mmr.Training.BatchSize, mmr.Vocab.Dataset));
        var roco = Presets.Get("official-roco");
        Assert.Equal((30, 10, 16740), (roco.Training.Epochs, roco.Training.Patience, roco.Vocab.ResolvedSize));
        var pgross = Presets.Get("official-pgross");
        Assert.Equal((30, 10), (pgross.TextSeqLen, pgross.Training.Patience));
        Assert.All(Presets.BaseNames.Where(n => !n.Contains("official-tiny")).Select(Presets.Get), s => Assert.Equal(115111211, s.Training.Seed));
    }

    [Fact]
    public void TinyIsSmallAndConsistent()
    {
        var tiny = Presets.Get("tiny");
        Assert.Equal(tiny.DLatent / tiny.Heads, tiny.QkNopeDim + tiny.QkRopeDim);
        var s = tiny.Describe();
        Assert.Equal(new Shape(1, 80, 229), s.Output);   // T = 80: synthetic reports reach 75 tokens
        Assert.True(s.Totals.Parameters < 15_000_000, s.Totals.Parameters.ToString());
        Assert.True(s.Totals.Flops < 3_000_000_000, s.Totals.Flops.ToString());
    }

    [Fact]
    public void UnknownNamesAreRejectedWithTheList()
    {
        var e = Assert.Throws<ArgumentException>(() => Presets.Get("official-mimic"));
        Assert.Contains("Unknown preset 'official-mimic'", e.Message);
        Assert.Contains("official-covctr", e.Message);
        Assert.Contains("-no-moe", e.Message);
        Assert.False(Presets.TryGet("tiny-no-moes", out _));
        Assert.False(Presets.TryGet("tiny-", out _));
        Assert.Throws<ArgumentException>(() => Presets.Resolve("no-such-preset-or-file.yaml"));
    }

    [Fact]
    public void VocabularySizesMatchTheEmbeddedVocabularies()
    {
        var assembly = typeof(ModelSpec).Assembly;
        foreach (var (name, size) in PaperDatasets.VocabSizes)
        {
            using var stream = assembly.GetManifestResourceStream($"Micar.Resources.vocab/{name}/token2id.json")
                               ?? throw new InvalidOperationException($"resource for {name} missing");
            using var doc = JsonDocument.Parse(stream);
            Assert.Equal(size, doc.RootElement.EnumerateObject().Count());
        }
    }
}

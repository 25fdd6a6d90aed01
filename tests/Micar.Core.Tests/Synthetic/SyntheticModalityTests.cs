using System.Text.Json;
using Micar.Data.Synthetic;
using Xunit;

namespace Micar.Tests.Synthetic;

/// <summary>The opt-in X-ray-like modality of the synthetic generator: CT output unchanged, radiograph rendering and
/// report vocabulary of its own, per-image modality file.</summary>
public sealed class SyntheticModalityTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "micar-modality-" + Guid.NewGuid().ToString("N"));

    public SyntheticModalityTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    static IEnumerable<string> Words(string report) => report.Split(' ');

    [Fact]
    public void CtIsTheDefaultGeneratorByteForByte()
    {
        for (ulong seed = 0; seed < 6; seed++)
        {
            var plain = SyntheticGenerator.Generate(seed, 64);
            var ct = SyntheticGenerator.Generate(seed, 64, SyntheticModality.Ct);
            Assert.Equal(plain.Pixels, ct.Pixels);
            Assert.Equal(plain.Report, ct.Report);
        }
    }

    [Fact]
    public void XRayKeepsTheFindingsAndWritesItsOwnVocabulary()
    {
        var ctWords = new HashSet<string>();
        var xrayWords = new HashSet<string>();
        for (ulong seed = 0; seed < 60; seed++)
        {
            var ct = SyntheticGenerator.Generate(seed, 64, SyntheticModality.Ct);
            var xray = SyntheticGenerator.Generate(seed, 64, SyntheticModality.XRay);
            Assert.Equal(ct.Findings, xray.Findings);
            Assert.NotEqual(ct.Pixels, xray.Pixels);
            Assert.Equal(RadiographGrammar.Write(ct.Findings), xray.Report);
            ctWords.UnionWith(Words(ct.Report));
            xrayWords.UnionWith(Words(xray.Report));
        }
        Assert.Contains("opacity", xrayWords);
        Assert.Contains("zone", xrayWords);
        Assert.DoesNotContain("lobe", xrayWords);
        Assert.DoesNotContain("zone", ctWords);
        // content words are modality-specific: the vocabularies share only grammar, sides, sizes and zones
        var shared = ctWords.Intersect(xrayWords).ToHashSet();
        Assert.True(shared.IsSubsetOf(["the", "right", "left", "small", "large", ",", ".", "with", "no", "and", "lungs", "lung", "clear", "upper", "lower", "air"]), string.Join(" ", shared));
    }

    [Fact]
    public void ARadiographStillShowsItsFindings()
    {
        var seed = Enumerable.Range(0, 200).Select(i => (ulong)i).First(s => SyntheticGenerator.SampleFindings(s).Any(f => f.Type == FindingType.Consolidation && f.Size == LesionSize.Large));
        var findings = SyntheticGenerator.SampleFindings(seed);
        var with = RadiographProjection.Project(SyntheticGenerator.Render(findings, seed, 96), 96);
        var without = RadiographProjection.Project(SyntheticGenerator.Render(FindingSet.Empty, seed, 96), 96);
        var changed = with.Zip(without).Count(p => Math.Abs(p.First - p.Second) > 8);
        Assert.True(changed > 50, $"only {changed} pixels show the findings");
        Assert.Throws<ArgumentException>(() => RadiographProjection.Project(new byte[10], 4));
    }

    [Fact]
    public void ModalityDrawsFollowTheShare()
    {
        var seeds = Enumerable.Range(0, 400).Select(i => SyntheticGenerator.CaseSeed(7, i)).ToList();
        Assert.All(seeds, s => Assert.Equal(SyntheticModality.Ct, SyntheticGenerator.ModalityOf(s, 0)));
        Assert.All(seeds, s => Assert.Equal(SyntheticModality.XRay, SyntheticGenerator.ModalityOf(s, 1)));
        var xrays = seeds.Count(s => SyntheticGenerator.ModalityOf(s, 0.5) == SyntheticModality.XRay);
        Assert.InRange(xrays, 160, 240);
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticGenerator.ModalityOf(1, 1.5));
        Assert.Equal(SyntheticModality.XRay, SyntheticModalities.Parse("xray"));
        Assert.Throws<ArgumentException>(() => SyntheticModalities.Parse("mri"));
    }

    [Fact]
    public void DatasetWithAnXRayShareListsEachImagesModality()
    {
        var plain = Path.Combine(_root, "plain");
        var mixed = Path.Combine(_root, "mixed");
        SynthDataset.Write(plain, n: 20, seed: 5, size: 64, maxDegreeOfParallelism: 1);
        SynthDataset.Write(mixed, n: 20, seed: 5, size: 64, maxDegreeOfParallelism: 1, xrayShare: 0.5);
        Assert.False(File.Exists(Path.Combine(plain, SynthDataset.ModalityFile)));
        Assert.DoesNotContain("xray", File.ReadAllText(Path.Combine(plain, "dataset.json")));
        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(mixed, "dataset.json"))))
            Assert.Equal(0.5, json.RootElement.GetProperty("xray_share").GetDouble());
        var rows = File.ReadAllLines(Path.Combine(mixed, "train.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        var ids = rows.Select(r => r[0]).ToList();
        var modality = SynthDataset.ReadModalities(mixed, ids);
        Assert.Contains(SyntheticModality.XRay, modality.Values);
        Assert.Contains(SyntheticModality.Ct, modality.Values);
        foreach (var id in ids)
        {
            var index = int.Parse(id[13..18]);
            var expected = SyntheticGenerator.Generate(SyntheticGenerator.CaseSeed(5, index), 64, modality[id]);
            Assert.Equal(64 * 64, expected.Pixels.Length);
            Assert.Equal(SyntheticGenerator.ModalityOf(SyntheticGenerator.CaseSeed(5, index), 0.5), modality[id]);
            Assert.Contains(modality[id] == SyntheticModality.XRay ? "silhouette" : "thorax", File.ReadAllText(Path.Combine(mixed, "train.csv")).Split('\n').First(l => l.StartsWith(id, StringComparison.Ordinal)));
            // CT images of the mixed set are the plain set's images
            if (modality[id] == SyntheticModality.Ct)
                Assert.Equal(File.ReadAllBytes(Path.Combine(plain, id)), File.ReadAllBytes(Path.Combine(mixed, id)));
        }
        Assert.All(SynthDataset.ReadModalities(plain, ids).Values, m => Assert.Equal(SyntheticModality.Ct, m));
    }
}

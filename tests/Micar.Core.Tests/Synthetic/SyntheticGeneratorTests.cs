using Micar.Data.Synthetic;
using Xunit;

namespace Micar.Tests.Synthetic;

public sealed class SyntheticGeneratorTests
{
    private const int Size = 160;
    private const ulong Patient = 11;

    private static FindingSet Set(params string[] codes) => new(codes.Select(Finding.Parse));

    /// <summary>Pixels that differ between the patient with and without <paramref name="code"/>.</summary>
    private static (double X, double Y, int Count) Difference(string code, ulong patient = Patient)
    {
        var with = SyntheticGenerator.Render(Set(code), patient, Size);
        var without = SyntheticGenerator.Render(FindingSet.Empty, patient, Size);
        double sx = 0, sy = 0;
        var count = 0;
        for (var i = 0; i < with.Length; i++)
        {
            if (with[i] != without[i])
            {
                sx += i % Size;
                sy += i / Size;
                count++;
            }
        }

        Assert.True(count > 0, $"{code} changed no pixel");
        return (sx / count, sy / count, count);
    }

    [Fact]
    public void Generate_IsDeterministicPerSeed_AndSeedsDiffer()
    {
        var a = SyntheticGenerator.Generate(5, Size);
        var b = SyntheticGenerator.Generate(5, Size);
        Assert.Equal(a.Pixels, b.Pixels);
        Assert.Equal(a.Report, b.Report);
        Assert.Equal(a.Findings, b.Findings);
        Assert.NotEqual(a.Pixels, SyntheticGenerator.Generate(6, Size).Pixels);
        Assert.Equal(Size * Size, a.Pixels.Length);
    }

    [Fact]
    public void Generate_FindingsAndReportDoNotDependOnImageSize()
    {
        for (ulong seed = 0; seed < 20; seed++)
        {
            var small = SyntheticGenerator.Generate(seed, 64);
            Assert.Equal(SyntheticGenerator.SampleFindings(seed), small.Findings);
            Assert.Equal(ReportGrammar.Write(small.Findings), small.Report);
        }
    }

    [Fact]
    public void Sampler_HasTheDocumentedMix()
    {
        int normal = 0, findings = 0, max = 0;
        var types = new int[5];
        for (ulong seed = 0; seed < 4000; seed++)
        {
            var set = SyntheticGenerator.SampleFindings(seed);
            normal += set.IsNormal ? 1 : 0;
            findings += set.Count;
            max = Math.Max(max, set.Count);
            foreach (var f in set)
            {
                types[(int)f.Type]++;
            }

            // Layout rules: one lesion per (side, zone), one effusion per side, no lower-zone lesion beside an effusion.
            var lesions = set.Where(f => f.Type != FindingType.Effusion).ToList();
            Assert.Equal(lesions.Count, lesions.Select(f => (f.Side, f.Zone)).Distinct().Count());
            foreach (var e in set.Where(f => f.Type == FindingType.Effusion))
            {
                Assert.DoesNotContain(lesions, f => f.Side == e.Side && f.Zone == LungZone.Lower);
            }
        }

        Assert.InRange(normal / 4000.0, 0.22, 0.28);
        Assert.Equal(3, max);
        Assert.InRange(findings / (4000.0 - normal), 1.6, 1.8); // 1·0.5 + 2·0.3 + 3·0.2 = 1.7
        Assert.All(types, t => Assert.True(t > 300));
    }

    [Fact]
    public void Image_LooksLikeAChestSlice()
    {
        var pixels = SyntheticGenerator.Render(FindingSet.Empty, Patient, Size);
        double Mean(double u, double v)
        {
            // 9 × 9 window around (u, v) in image fractions.
            double sum = 0;
            for (var dy = -4; dy <= 4; dy++)
            {
                for (var dx = -4; dx <= 4; dx++)
                {
                    sum += pixels[((int)(v * Size) + dy) * Size + (int)(u * Size) + dx];
                }
            }

            return sum / 81;
        }

        Assert.True(Mean(0.05, 0.05) < 20, "corner is air");
        Assert.True(Mean(0.25, 0.45) < 80, "patient's right lung (image left) is dark");
        Assert.True(Mean(0.8, 0.45) < 80, "patient's left lung (image right) is dark");
        Assert.True(Mean(0.55, 0.5) > 150, "heart is bright");
        Assert.Contains(pixels, p => p == 255); // bone
    }

    [Theory]
    [InlineData(3UL)]
    [InlineData(11UL)]
    [InlineData(42UL)]
    [InlineData(1000UL)]
    public void Render_PutsAFindingOnlyWhereItBelongs(ulong patient)
    {
        // Side: the patient's right is the image's left.
        Assert.True(Difference("nodule:right:middle:subpleural:medium:well", patient).X < Size / 2.0);
        Assert.True(Difference("nodule:left:middle:subpleural:medium:well", patient).X > Size / 2.0);

        // Zone: anterior (top) to posterior (bottom) thirds.
        var upper = Difference("ggo:right:upper:central:medium:ill", patient).Y;
        var middle = Difference("ggo:right:middle:central:medium:ill", patient).Y;
        var lower = Difference("ggo:right:lower:central:medium:ill", patient).Y;
        Assert.True(upper + 10 < middle && middle + 10 < lower, $"zone centres {upper}, {middle}, {lower}");

        // Depth: subpleural lesions lie further from the midline than central ones.
        Assert.True(Difference("cavity:left:middle:subpleural:small:well", patient).X > Difference("cavity:left:middle:central:small:well", patient).X + 10);
        Assert.True(Difference("cavity:right:upper:subpleural:small:well", patient).X + 10 < Difference("cavity:right:upper:central:small:well", patient).X);

        // Size: small < medium < large.
        var sizes = new[] { "small", "medium", "large" }.Select(s => Difference($"consolidation:left:lower:central:{s}:well", patient).Count).ToArray();
        Assert.True(sizes[0] < sizes[1] && sizes[1] < sizes[2], string.Join(", ", sizes));

        // Effusion: posterior.
        Assert.True(Difference("effusion:left:na:na:medium:na", patient).Y > middle);
    }

    [Fact]
    public void Render_MarginsAndAirBronchogramsAreVisibleDifferences()
    {
        var well = SyntheticGenerator.Render(Set("nodule:right:upper:subpleural:large:well"), Patient, Size);
        var ill = SyntheticGenerator.Render(Set("nodule:right:upper:subpleural:large:ill"), Patient, Size);
        Assert.NotEqual(well, ill);

        var solid = SyntheticGenerator.Render(Set("consolidation:right:lower:central:large:well"), Patient, Size);
        var air = SyntheticGenerator.Render(Set("consolidation:right:lower:central:large:well:air"), Patient, Size);
        var darker = Enumerable.Range(0, solid.Length).Count(i => air[i] + 40 < solid[i]);
        Assert.True(darker > 10, $"air bronchogram darkened {darker} pixels");
    }

    [Fact]
    public void Render_RejectsIncompleteFindingsAndBadSizes()
    {
        Assert.Throws<ArgumentException>(() => SyntheticGenerator.Render(Set("nodule:right:upper:?:large:well"), 1, Size));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticGenerator.Generate(1, 16));
    }
}

using System.Text.Json;
using Micar.Metrics;
using Xunit;

namespace Micar.Tests.Metrics;

public sealed class MetricReportTests
{
    private static readonly JuryOptions Options = new() { WordNet = WordNetDatabase.Embedded };

    private static string TempFile(string content)
    {
        var path = Path.Combine(Path.GetTempPath(), $"micar-pairs-{Guid.NewGuid():N}.tsv");
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void FromTsvScoresBothFamilies()
    {
        var path = MetricFixtures.Path("covctr-pairs.tsv");
        var report = MetricReport.FromTsv(path, Options);
        var expected = MetricFixtures.Json("covctr-expected.json");
        Assert.Equal(200, report.Pairs);
        Assert.Equal(expected.GetProperty("jury").GetProperty("score").GetDouble(), report.Jury.Score, 1e-12);
        Assert.Equal(expected.GetProperty("coco").GetProperty("r2gen").GetProperty("cider_d").GetDouble(), report.Coco.CiderD, 1e-12);
    }

    [Fact]
    public void JsonHasStableFieldNamesAndRoundTrips()
    {
        var report = MetricReport.Compute(["the heart is normal .", ""], ["the heart size is normal .", "no effusion ."], Options);
        var json = report.ToJson();
        var root = JsonDocument.Parse(json).RootElement;
        Assert.Equal(["pairs", "jury", "coco"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["tokenization", "bleu1", "bleu2", "bleu3", "bleu4", "rougeL", "ciderD", "meteor"],
            root.GetProperty("coco").EnumerateObject().Select(p => p.Name));
        Assert.Equal("r2gen", root.GetProperty("coco").GetProperty("tokenization").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("coco").GetProperty("meteor").ValueKind);
        Assert.Equal(115111211u, root.GetProperty("jury").GetProperty("rougeLSeed").GetUInt32());
        Assert.Equal(report, MetricReport.FromJson(json));
        Assert.Equal(report, MetricReport.FromJson(report.ToJson(indented: false)));
    }

    [Fact]
    public void PairsFileKeepsEmptySidesAndStripsCarriageReturns()
    {
        var path = TempFile("a b\tc d\r\n\tref only\npred only\t\n");
        try
        {
            var pairs = MetricPairs.ReadTsv(path);
            Assert.Equal(["a b", "", "pred only"], pairs.Predictions);
            Assert.Equal(["c d", "ref only", ""], pairs.References);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("a\tb\nno tab here\n", 2, "found 0")]
    [InlineData("a\tb\nx\ty\tz\n", 2, "found 2")]
    [InlineData("a\tb\n\n  \nc\td\nprediction\n", 5, "found 0")]
    public void MalformedLinesAreNamed(string content, int line, string detail)
    {
        var path = TempFile(content);
        try
        {
            var e = Assert.Throws<FormatException>(() => MetricPairs.ReadTsv(path));
            Assert.Contains($"line {line}", e.Message);
            Assert.Contains(path, e.Message);
            Assert.Contains(detail, e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void EmptyAndMissingFilesAreRejected()
    {
        var path = TempFile("");
        try
        {
            Assert.Contains("no pairs", Assert.Throws<FormatException>(() => MetricPairs.ReadTsv(path)).Message);
        }
        finally
        {
            File.Delete(path);
        }
        Assert.Throws<FileNotFoundException>(() => MetricReport.FromTsv("/nonexistent/pairs.tsv"));
    }
}

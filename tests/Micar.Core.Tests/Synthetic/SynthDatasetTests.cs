using System.Text;
using System.Text.Json;
using Micar.Data.Synthetic;
using Xunit;

namespace Micar.Tests.Synthetic;

public sealed class SynthDatasetTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "micar-synth-" + Guid.NewGuid().ToString("N"));

    public SynthDatasetTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>Minimal RFC 4180 reader for the checks (quoted fields, doubled quotes, LF or CRLF).</summary>
    private static List<string[]> ReadCsv(string path)
    {
        var text = File.ReadAllText(path);
        var rows = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n')
            {
                fields.Add(field.ToString());
                field.Clear();
                rows.Add([.. fields]);
                fields.Clear();
            }
            else if (c != '\r')
            {
                field.Append(c);
            }
        }

        Assert.Equal(0, field.Length); // every row ends with a line break
        return rows;
    }

    private static Dictionary<string, byte[]> Files(string dir) =>
        Directory.GetFiles(dir, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(dir, f).Replace('\\', '/'), File.ReadAllBytes);

    [Fact]
    public void Write_ProducesAConsistentDataset()
    {
        var dir = Path.Combine(_root, "a");
        var summary = SynthDataset.Write(dir, n: 30, seed: 3, size: 64);
        Assert.Equal((24, 3, 3, 30), (summary.Train, summary.Val, summary.Test, summary.Count));

        var ids = new List<string>();
        foreach (var split in new[] { "train", "val", "test" })
        {
            var rows = ReadCsv(Path.Combine(dir, split + ".csv"));
            Assert.Equal(["image_id", "findings", "ground_truth"], rows[0]);
            foreach (var row in rows.Skip(1))
            {
                Assert.Equal(3, row.Length);
                Assert.Matches("^images/synth_[0-9]{5}\\.png$", row[0]);
                var image = PngTestDecoder.Decode(File.ReadAllBytes(Path.Combine(dir, row[0])));
                Assert.Equal((64, 64, 1), (image.Width, image.Height, image.Channels));
                var truth = FindingSet.Parse(row[2]);
                Assert.Equal(ReportGrammar.Write(truth), row[1]);
                Assert.Equal(truth, FindingExtractor.Extract(row[1]));
                var index = int.Parse(row[0][13..18]);
                Assert.Equal(SyntheticGenerator.SampleFindings(SyntheticGenerator.CaseSeed(3, index)), truth);
                ids.Add(row[0]);
            }
        }

        Assert.Equal(30, ids.Distinct().Count());
        Assert.Equal(30, Directory.GetFiles(Path.Combine(dir, "images")).Length);
        Assert.Equal(summary.Normal, ids.Count(id => SyntheticGenerator.SampleFindings(SyntheticGenerator.CaseSeed(3, int.Parse(id[13..18]))).IsNormal));

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "dataset.json")));
        Assert.Equal(SyntheticGenerator.Version, json.RootElement.GetProperty("generator").GetString());
        Assert.Equal(30, json.RootElement.GetProperty("count").GetInt32());
        Assert.Equal(3, json.RootElement.GetProperty("seed").GetInt32());
        Assert.Equal(3, json.RootElement.GetProperty("splits").GetProperty("val").GetInt32());
        Assert.Contains("seed 3, 30 studies, 64x64 px", File.ReadAllText(Path.Combine(dir, "README.txt")));
    }

    [Fact]
    public void Write_IsByteIdenticalForTheSameArguments_WhateverTheParallelism()
    {
        var a = Path.Combine(_root, "a");
        var b = Path.Combine(_root, "b");
        SynthDataset.Write(a, n: 12, seed: 9, size: 64);
        SynthDataset.Write(b, n: 12, seed: 9, size: 64, maxDegreeOfParallelism: 1);
        var filesA = Files(a);
        var filesB = Files(b);
        Assert.Equal(filesA.Keys.Order(), filesB.Keys.Order());
        Assert.All(filesA, p => Assert.Equal(p.Value, filesB[p.Key]));

        var c = Path.Combine(_root, "c");
        SynthDataset.Write(c, n: 12, seed: 10, size: 64);
        Assert.NotEqual(filesA["images/synth_00000.png"], Files(c)["images/synth_00000.png"]);
    }

    [Fact]
    public void Split_IsAnEightOneOnePartition()
    {
        var (train, val, test) = SynthDataset.Split(2000, 7);
        Assert.Equal((1600, 200, 200), (train.Length, val.Length, test.Length));
        Assert.Equal(Enumerable.Range(0, 2000), train.Concat(val).Concat(test).Order());
        Assert.Equal(train.Order(), train);

        Assert.Equal((8, 1, 1), (SynthDataset.Split(10, 1).Train.Length, SynthDataset.Split(10, 1).Val.Length, SynthDataset.Split(10, 1).Test.Length));
        Assert.Equal(5, SynthDataset.Split(5, 1).Train.Length);
        Assert.NotEqual(SynthDataset.Split(100, 1).Test, SynthDataset.Split(100, 2).Test);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a , b .", "\"a , b .\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("", "")]
    public void CsvField_QuotesPerRfc4180(string value, string expected) => Assert.Equal(expected, SynthDataset.CsvField(value));

    [Fact]
    public void Write_RejectsBadArguments_AndNamesUnwritablePaths()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SynthDataset.Write(Path.Combine(_root, "x"), n: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SynthDataset.Write(Path.Combine(_root, "x"), n: 1, size: 8));

        var file = Path.Combine(_root, "occupied");
        File.WriteAllText(file, "not a folder");
        var e = Assert.Throws<IOException>(() => SynthDataset.Write(file, n: 1, size: 64));
        Assert.Contains(file, e.Message);
    }
}

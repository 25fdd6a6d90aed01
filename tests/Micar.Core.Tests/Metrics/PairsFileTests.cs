using System.Text;
using Micar.Metrics;
using Xunit;

namespace Micar.Tests.Metrics;

/// <summary>Hostile and sloppy pairs files: headers, blank lines, invalid UTF-8, overlong lines and texts.</summary>
public sealed class PairsFileTests : IDisposable
{
    private static readonly JuryOptions Options = new() { WordNet = WordNetDatabase.Embedded };
    private readonly string path = Path.Combine(Path.GetTempPath(), $"micar-pairs-{Guid.NewGuid():N}.tsv");

    public void Dispose() => File.Delete(path);

    private string Write(string content)
    {
        File.WriteAllText(path, content, new UTF8Encoding(false));
        return path;
    }

    private string WriteBytes(params byte[][] parts)
    {
        File.WriteAllBytes(path, parts.SelectMany(p => p).ToArray());
        return path;
    }

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private const string Body = "the heart is normal .\tthe heart size is normal .\nno effusion .\tno pleural effusion .\n";

    [Theory]
    [InlineData("prediction\treference\n")]
    [InlineData(" Prediction \t REFERENCE \r\n")]
    [InlineData("\n  \nPREDICTION\tReference\n")]
    public void A_first_line_prediction_tab_reference_is_a_header_not_a_pair(string header)
    {
        var pairs = MetricPairs.ReadTsv(Write(header + Body));
        Assert.Equal(["the heart is normal .", "no effusion ."], pairs.Predictions);

        var withHeader = MetricReport.FromTsv(path, Options);
        var without = MetricReport.FromTsv(Write(Body), Options);
        Assert.Equal(2, withHeader.Pairs);
        Assert.Equal(without.Jury.Bleu1, withHeader.Jury.Bleu1);
        Assert.Equal(without.Coco.CiderD, withHeader.Coco.CiderD);
    }

    [Fact]
    public void Only_the_first_line_can_be_a_header()
    {
        var pairs = MetricPairs.ReadTsv(Write(Body + "prediction\treference\n"));
        Assert.Equal(3, pairs.Predictions.Count);
        Assert.Equal("prediction", pairs.Predictions[2]);
    }

    [Fact]
    public void Blank_lines_are_skipped_and_errors_keep_physical_line_numbers()
    {
        var pairs = MetricPairs.ReadTsv(Write("\n\r\n   \na\tb\n\r\n \t \n\u00a0\nc\td\n\n"));
        Assert.Equal(["a", "c"], pairs.Predictions);
        Assert.Equal(["b", "d"], pairs.References);

        var e = Assert.Throws<FormatException>(() => MetricPairs.ReadTsv(Write("\n\na\tb\n\nno tab\n")));
        Assert.Contains("line 5", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\r\n  \n")]
    [InlineData("prediction\treference\n\n")]
    public void A_file_of_only_blank_lines_and_a_header_holds_no_pairs(string content)
    {
        var e = Assert.Throws<FormatException>(() => MetricPairs.ReadTsv(Write(content)));
        Assert.Contains("holds no pairs", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Invalid_utf8_is_an_error_naming_the_line()
    {
        WriteBytes(Utf8("a\tb\nc"), [0xFF], Utf8("d\te\n"));
        var e = Assert.Throws<FormatException>(() => MetricPairs.ReadTsv(path));
        Assert.Contains($"Pairs file '{path}', line 2: not valid UTF-8 (byte 2 of the line, 0xFF)", e.Message);

        WriteBytes(Utf8("a\tb\nc\td\n\u00e9\t"), [0xC3]); // a sequence cut off by the end of the file
        Assert.Contains("line 3: not valid UTF-8", Assert.Throws<FormatException>(() => MetricPairs.ReadTsv(path)).Message);

        WriteBytes(Utf8("a\tb\n"), [0xED, 0xA0, 0x80], Utf8("\tx\n")); // an encoded surrogate
        Assert.Contains("line 2: not valid UTF-8", Assert.Throws<FormatException>(() => MetricPairs.ReadTsv(path)).Message);
    }

    [Fact]
    public void A_byte_order_mark_and_multibyte_text_are_read_as_they_are()
    {
        WriteBytes([0xEF, 0xBB, 0xBF], Utf8("prediction\treference\nherz \u00e9\u4e2d\ud83d\ude00\tx\n"));
        var pairs = MetricPairs.ReadTsv(path);
        Assert.Equal(["herz \u00e9\u4e2d\ud83d\ude00"], pairs.Predictions);

        WriteBytes([0xEF, 0xBB, 0xBF], Utf8("a\tb\n"));
        Assert.Equal(["a"], MetricPairs.ReadTsv(path).Predictions);
    }

    [Fact]
    public void A_text_over_the_token_limit_is_refused_naming_the_line_and_one_at_the_limit_is_scored()
    {
        int limit = MetricPairsLimits.Default.MaxTokensPerText;
        string atLimit = string.Join(' ', Enumerable.Range(0, limit).Select(i => $"w{i % 97}"));
        Write($"a b\tc d\n{atLimit} extra\t{atLimit}\n");
        var e = Assert.Throws<FormatException>(() => MetricPairs.ReadTsv(path));
        Assert.Contains($"Pairs file '{path}', line 2: the prediction has {limit + 1} tokens, more than the limit of {limit}", e.Message);

        var report = MetricReport.FromTsv(Write($"a b\tc d\n{atLimit}\t{atLimit}\n"), Options);
        Assert.Equal(2, report.Pairs);
    }

    [Theory]
    [InlineData("a.b", "reference")] // tokenizer J splits at ASCII punctuation: more tokens than words
    [InlineData("   ", "reference")] // the single-space split of coco ROUGE-L gives empty tokens
    [InlineData("x\u00e9", "reference")] // tokenizer T splits at every character outside [a-z0-9]
    public void Every_tokenization_counts_towards_the_token_limit(string unit, string side)
    {
        var limits = new MetricPairsLimits { MaxTokensPerText = 50 };
        string text = string.Concat(Enumerable.Repeat(unit, 60));
        Write($"ok\tok\nfine\t{text}\n");
        var e = Assert.Throws<FormatException>(() => MetricPairs.ReadTsv(path, limits));
        Assert.Contains($"line 2: the {side} has", e.Message);
        Assert.Contains("more than the limit of 50", e.Message);
        Assert.Equal(2, MetricPairs.ReadTsv(path, limits with { MaxTokensPerText = 200 }).Predictions.Count);
    }

    [Fact]
    public void A_line_over_the_byte_limit_is_refused_naming_the_line_and_the_limit_can_be_raised()
    {
        var limits = new MetricPairsLimits { MaxLineBytes = 1000 };
        string under = new string('a', 500) + "\t" + new string('b', 499); // exactly 1000 bytes
        Write($"x\ty\n{under}\n{under}b\r\n");
        var e = Assert.Throws<FormatException>(() => MetricPairs.ReadTsv(path, limits));
        Assert.Contains($"Pairs file '{path}', line 3: longer than 1000 bytes (MetricPairsLimits.MaxLineBytes)", e.Message);
        Assert.Equal(3, MetricPairs.ReadTsv(path, limits with { MaxLineBytes = 1002 }).Predictions.Count);
    }

    [Fact]
    public void A_default_limit_line_without_breaks_is_refused_without_reading_the_whole_file()
    {
        // 1 MiB + 1 bytes in one line: refused at the limit (the default), not read into a string first.
        File.WriteAllBytes(path, Enumerable.Repeat((byte)'a', MetricPairsLimits.Default.MaxLineBytes + 1).ToArray());
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<FormatException>(() => MetricPairs.ReadTsv(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("line 1: longer than 1048576 bytes", e.Message);
        Assert.True(allocated < 3L * MetricPairsLimits.Default.MaxLineBytes, $"{allocated} bytes allocated");
    }

    [Fact]
    public void Limits_below_one_are_rejected()
    {
        Write("a\tb\n");
        Assert.Throws<ArgumentOutOfRangeException>(() => MetricPairs.ReadTsv(path, new MetricPairsLimits { MaxLineBytes = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => MetricPairs.ReadTsv(path, new MetricPairsLimits { MaxTokensPerText = 0 }));
    }
}

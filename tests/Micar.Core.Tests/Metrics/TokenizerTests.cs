using System.Globalization;
using System.Text;
using Micar.Metrics;
using Xunit;

namespace Micar.Tests.Metrics;

public sealed class TokenizerTests
{
    [Fact]
    public void JuryTokenizerSpecExamples()
    {
        Assert.Equal(["sjögren’s", "syndrome", "–", "t2", "weighted", "arrow", "3", "5"],
            JuryTokenizer.Tokenize("sjögren’s syndrome – t2-weighted (arrow) , 3 . 5"));
        Assert.Equal(["x", "ray", "unk", "12", "00"], JuryTokenizer.Tokenize("x-ray <unk> 12:00"));
        Assert.Empty(JuryTokenizer.Tokenize(". , ; : !"));
        Assert.Empty(JuryTokenizer.Tokenize(""));
    }

    [Fact]
    public void RougeTokenizerSpecExamples()
    {
        Assert.Equal(["sj", "gren", "s", "syndrome", "t2", "weighted", "arrow", "3", "5"],
            RougeTokenizer.Tokenize("sjögren’s syndrome – t2-weighted (arrow) , 3 . 5"));
        Assert.Equal(["x", "ray", "unk", "12", "00"], RougeTokenizer.Tokenize("X-ray <UNK> 12:00"));
        Assert.Empty(RougeTokenizer.Tokenize("Ｆｕｌｌ－ｗｉｄｔｈ"));
    }

    [Fact]
    public void TokenizersMatchPythonOnTrickyStrings()
    {
        foreach (var item in MetricFixtures.Json("tokenizers.json").EnumerateArray())
        {
            string text = item.GetProperty("text").GetString()!;
            Assert.Equal(MetricFixtures.Strings(item.GetProperty("jury")), JuryTokenizer.Tokenize(text));
            Assert.Equal(MetricFixtures.Strings(item.GetProperty("rouge")), RougeTokenizer.Tokenize(text));
            Assert.Equal(item.GetProperty("lower").GetString(), PythonString.Lower(text));
        }
    }

    [Fact]
    public void LowerMatchesPythonForEveryChangedCodePoint()
    {
        int checkedCount = 0;
        var mismatches = new List<string>();
        foreach (var fields in MetricFixtures.Tsv("python-lower.tsv"))
        {
            var source = char.ConvertFromUtf32(int.Parse(fields[0], NumberStyles.HexNumber));
            var expected = string.Concat(fields[1].Split(' ').Select(h => char.ConvertFromUtf32(int.Parse(h, NumberStyles.HexNumber))));
            if (PythonString.Lower(source) != expected) mismatches.Add(fields[0]);
            checkedCount++;
        }
        Assert.Equal(1433, checkedCount);
        Assert.Empty(mismatches);
    }

    [Fact]
    public void LowerLeavesOtherCharactersAlone()
    {
        var changed = MetricFixtures.Tsv("python-lower.tsv").Select(f => int.Parse(f[0], NumberStyles.HexNumber)).ToHashSet();
        var unexpected = new List<int>();
        for (int cp = 0; cp < 0x110000; cp++)
        {
            if (cp is >= 0xD800 and < 0xE000 || changed.Contains(cp) || cp == 0x03A3) continue;
            var s = char.ConvertFromUtf32(cp);
            if (PythonString.Lower(s) != s) unexpected.Add(cp);
        }
        Assert.Empty(unexpected);
    }

    [Theory]
    [InlineData("ΟΔΟΣ", "οδος")]
    [InlineData("Σ", "σ")]
    [InlineData("AΣ.B", "aσ.b")]
    [InlineData("AΣ. B", "aς. b")]
    [InlineData("İ", "i\u0307")]
    public void LowerHandlesSpecialCasing(string text, string expected) => Assert.Equal(expected, PythonString.Lower(text));

    [Fact]
    public void WhitespaceIsPythons()
    {
        // Python's str.split() also splits on U+001C..U+001F and not on U+200B (zero-width space).
        Assert.Equal(["a", "b", "c", "d\u200be"], PythonString.SplitWhitespace("a\u001cb\u00a0c\u2003d\u200be"));
        for (int c = 0; c <= 0xFFFF; c++)
        {
            bool python = c is >= 0x09 and <= 0x0D or >= 0x1C and <= 0x20 or 0x85 or 0xA0 or 0x1680 or >= 0x2000 and <= 0x200A
                or 0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000;
            Assert.True(python == PythonString.IsWhiteSpace((char)c), $"U+{c:X4}");
        }
    }
}

using System.Text;
using System.Text.RegularExpressions;
using Micar.Data;
using Xunit;

namespace Micar.Tests.Data;

public sealed class PythonTextTests
{
    private static readonly string[] Table = File.ReadAllLines(DataFixtures.PathOf("python_unicode.txt"));

    private static IEnumerable<string[]> Rows(string kind) =>
        Table.Where(l => l.StartsWith(kind + " ", StringComparison.Ordinal)).Select(l => l.Split(' '));

    private static bool InRanges(bool[] set, int cp) => set[cp];

    private static bool[] Ranges(string kind)
    {
        var set = new bool[0x110000];
        foreach (var r in Rows(kind))
            for (int c = DataFixtures.Hex(r[1]); c <= DataFixtures.Hex(r[2]); c++) set[c] = true;
        return set;
    }

    [Fact]
    public void Lower_matches_python_for_every_code_point()
    {
        var expected = Rows("lower").ToDictionary(r => DataFixtures.Hex(r[1]), r => DataFixtures.FromHexCodePoints(string.Join(' ', r.Skip(2))));
        Assert.True(expected.Count > 1400);
        int mismatches = 0;
        for (int cp = 0; cp < 0x110000; cp++)
        {
            if (cp is >= 0xD800 and < 0xE000) continue;
            string s = char.ConvertFromUtf32(cp);
            string want = expected.TryGetValue(cp, out var e) ? e : s;
            if (PythonText.Lower(s) != want) mismatches++;
        }
        Assert.Equal(0, mismatches);
    }

    [Fact]
    public void Lower_applies_final_sigma_like_python()
    {
        foreach (var line in Table.Where(l => l.StartsWith("sigma ", StringComparison.Ordinal)))
        {
            var parts = line["sigma ".Length..].Split('\t');
            string input = DataFixtures.FromHexCodePoints(parts[0]);
            Assert.Equal(DataFixtures.FromHexCodePoints(parts[1]), PythonText.Lower(input));
        }
        Assert.Equal("ας α", PythonText.Lower("ΑΣ Α"));
        Assert.Equal("σ", PythonText.Lower("Σ"));
        Assert.Equal("i\u0307stanbul", PythonText.Lower("İSTANBUL"));
    }

    [Fact]
    public void Case_properties_match_python_on_assigned_code_points()
    {
        var ignorable = Ranges("I");
        var cased = Ranges("C");
        var unassigned = Ranges("cn");
        var differing = new List<int>();
        for (int cp = 0; cp < 0x110000; cp++)
        {
            if (cp is >= 0xD800 and < 0xE000 || cp == 0x3A3 || InRanges(unassigned, cp)) continue;
            bool ign = InRanges(ignorable, cp);
            bool cas = InRanges(cased, cp);
            bool ours = PythonText.IsCaseIgnorable(cp);
            bool oursCased = !ours && PythonText.IsCased(cp);
            if (ign != ours || cas != oursCased) differing.Add(cp);
        }
        // U+1171E changed from Mn to Mc after Unicode 14: the one documented difference.
        Assert.Equal([0x1171E], differing);
    }

    [Fact]
    public void IsSpace_is_python_isspace()
    {
        var expected = Rows("space").Select(r => DataFixtures.Hex(r[1])).ToHashSet();
        Assert.Contains(0x1C, expected);
        for (int c = 0; c < 0x10000; c++)
            Assert.True(expected.Contains(c) == PythonText.IsSpace((char)c), $"U+{c:X4}");
    }

    [Fact]
    public void Split_and_strip_use_python_whitespace()
    {
        Assert.Equal(["a", "b", "c"], PythonText.Split("  a\u001Cb\u3000\u2003c\n"));
        Assert.Empty(PythonText.Split(" \t\u0085 "));
        Assert.Equal(["x\u200By"], PythonText.Split("x\u200By")); // zero-width space is not whitespace
        Assert.Equal("a b", PythonText.Strip("\u001F\u00A0a b\u2029"));
        Assert.Equal("", PythonText.Strip(" \u001C "));
        Assert.Equal("a b c", PythonText.CollapseWhitespace("a \t\u001Db\u3000c"));
    }

    [Fact]
    public void Code_point_order_differs_from_utf16_order_above_the_surrogates()
    {
        string astral = "\U0001F600", fullwidthA = "\uFF21", latin = "z";
        Assert.True(PythonText.CompareCodePoints(fullwidthA, astral) < 0);
        Assert.True(string.CompareOrdinal(fullwidthA, astral) > 0); // UTF-16 order puts surrogates first
        Assert.True(PythonText.CompareCodePoints(latin, fullwidthA) < 0);
        Assert.True(PythonText.CompareCodePoints("ab", "abc") < 0);
        Assert.Equal(0, PythonText.CompareCodePoints("\U0001F600x", "\U0001F600x"));
        var list = new List<string> { astral, fullwidthA, "\uD7FF", "a" };
        list.Sort(PythonText.CodePointComparer);
        Assert.Equal(["a", "\uD7FF", fullwidthA, astral], list);
    }

    [Fact]
    public void Regex_classes_match_python_on_the_bmp()
    {
        var unassigned = Ranges("cn");
        var word = Ranges("word");
        var digit = Ranges("digit");
        var w = new Regex($"^{PythonRegex.WordClass}$");
        var d = new Regex($"^{PythonRegex.Digit}$");
        var s = new Regex($"^{PythonRegex.Whitespace}$");
        for (int c = 0; c < 0x10000; c++)
        {
            if (c is >= 0xD800 and < 0xE000 || InRanges(unassigned, c)) continue;
            string ch = ((char)c).ToString();
            Assert.True(InRanges(word, c) == w.IsMatch(ch), $"\\w U+{c:X4}");
            Assert.True(InRanges(digit, c) == d.IsMatch(ch), $"\\d U+{c:X4}");
            Assert.True(PythonText.IsSpace((char)c) == s.IsMatch(ch), $"\\s U+{c:X4}");
        }
    }

    [Fact]
    public void IgnoreCase_letters_match_what_python_ignorecase_matches()
    {
        foreach (var row in Rows("ci"))
        {
            char letter = row[1][0];
            var extra = row.Skip(2).Select(DataFixtures.Hex).ToHashSet();
            var re = new Regex("^" + PythonRegex.IgnoreCase(letter.ToString()) + "$");
            for (int c = 0; c < 0x10000; c++)
            {
                if (c is >= 0xD800 and < 0xE000) continue;
                bool want = c == letter || c == char.ToUpperInvariant(letter) || extra.Contains(c);
                Assert.True(want == re.IsMatch(((char)c).ToString()), $"{letter} vs U+{c:X4}");
            }
        }
        var cls = new Regex($"^{PythonRegex.AsciiLetterIgnoreCase}$");
        Assert.Matches(cls, "\u0131");
        Assert.Matches(cls, "\u212A");
        Assert.DoesNotMatch(cls, "\u00E9");
    }

    [Fact]
    public void WordBoundary_treats_numbers_and_underscore_as_word_characters()
    {
        var re = new Regex($"{PythonRegex.WordBoundary}x");
        Assert.DoesNotMatch(re, "_x");
        Assert.DoesNotMatch(re, "\u00B2x"); // superscript two: No, a word character to Python
        Assert.Matches(re, "\u0301x");      // combining acute: Mn, not a word character to Python
        Assert.Matches(re, "-x");
    }
}

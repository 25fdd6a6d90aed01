using System.Globalization;
using System.Text;

namespace Micar.Data;

/// <summary>
/// The few Python 3 <c>str</c> operations the official preprocessing and tokenizer rely on, reproduced with
/// Python's semantics rather than .NET's: whitespace (<c>str.isspace</c>, <c>str.split()</c>, <c>str.strip()</c>),
/// lower-casing (<c>str.lower()</c>, full mapping with the Final_Sigma rule) and code-point string order
/// (<c>list.sort()</c> on strings).
/// </summary>
/// <remarks>
/// Python's whitespace set (Unicode 14 in Python 3.11) is U+0009–U+000D, U+001C–U+0020, U+0085, U+00A0, U+1680,
/// U+2000–U+200A, U+2028, U+2029, U+202F, U+205F and U+3000; .NET's <see cref="char.IsWhiteSpace(char)"/> lacks
/// U+001C–U+001F, which is why it is not used here. Lower-casing uses .NET's invariant simple mapping (identical to
/// Python's for every code point, checked against Python 3.11) plus Python's two special cases: U+0130 becomes
/// "i\u0307" and a capital sigma in word-final position becomes U+03C2. The Final_Sigma context uses the Unicode
/// properties Cased and Case_Ignorable, approximated here from .NET's general categories (see
/// <see cref="IsCased(int)"/> and <see cref="IsCaseIgnorable(int)"/>).
/// </remarks>
public static class PythonText
{
    /// <summary>The string that Python's <c>re</c> class <c>\s</c> (Unicode mode) matches, written as a .NET
    /// regular-expression character class.</summary>
    public const string WhitespaceClass =
        @"[\t\n\v\f\r\x1C-\x20\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]";

    /// <summary>Python's <c>str.isspace()</c> for one UTF-16 code unit (no whitespace lies outside the BMP).</summary>
    public static bool IsSpace(char c) => c switch
    {
        >= '\t' and <= '\r' => true,
        >= '\u001C' and <= ' ' => true,
        '\u0085' or '\u00A0' or '\u1680' => true,
        >= '\u2000' and <= '\u200A' => true,
        '\u2028' or '\u2029' or '\u202F' or '\u205F' or '\u3000' => true,
        _ => false,
    };

    /// <summary>Python's <c>s.split()</c> without arguments: the maximal runs of non-whitespace characters, in
    /// order (no empty strings).</summary>
    public static List<string> Split(string s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var parts = new List<string>();
        int i = 0;
        while (i < s.Length)
        {
            while (i < s.Length && IsSpace(s[i])) i++;
            int start = i;
            while (i < s.Length && !IsSpace(s[i])) i++;
            if (i > start) parts.Add(s.Substring(start, i - start));
        }
        return parts;
    }

    /// <summary>Python's <c>s.strip()</c> without arguments (Python's whitespace set).</summary>
    public static string Strip(string s)
    {
        ArgumentNullException.ThrowIfNull(s);
        int start = 0, end = s.Length;
        while (start < end && IsSpace(s[start])) start++;
        while (end > start && IsSpace(s[end - 1])) end--;
        return start == 0 && end == s.Length ? s : s.Substring(start, end - start);
    }

    /// <summary>Python's <c>re.sub(r"\s+", " ", s)</c>: every run of Python whitespace becomes one space.</summary>
    public static string CollapseWhitespace(string s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var sb = new StringBuilder(s.Length);
        bool inRun = false;
        foreach (char c in s)
        {
            if (IsSpace(c))
            {
                if (!inRun) sb.Append(' ');
                inRun = true;
            }
            else
            {
                sb.Append(c);
                inRun = false;
            }
        }
        return sb.ToString();
    }

    /// <summary>Python's <c>s.lower()</c>: full Unicode lower-casing of each code point, U+0130 → "i\u0307",
    /// capital sigma → final sigma in the Final_Sigma context.</summary>
    public static string Lower(string s)
    {
        ArgumentNullException.ThrowIfNull(s);
        StringBuilder? sb = null;
        int i = 0;
        while (i < s.Length)
        {
            Rune.DecodeFromUtf16(s.AsSpan(i), out Rune r, out int used);
            string? replacement = null;
            Rune lower = r;
            if (r.Value == 0x0130) replacement = "i\u0307";
            else if (r.Value == 0x03A3) lower = new Rune(IsFinalSigma(s, i) ? 0x03C2 : 0x03C3);
            else lower = Rune.ToLowerInvariant(r);

            if (replacement is not null || lower != r)
            {
                sb ??= new StringBuilder(s.Length + 8).Append(s, 0, i);
                if (replacement is not null) sb.Append(replacement);
                else sb.Append(lower.ToString());
            }
            else
            {
                sb?.Append(s, i, used);
            }
            i += used;
        }
        return sb?.ToString() ?? s;
    }

    /// <summary>Compares two strings in Python's order: lexicographic by Unicode code point (not by UTF-16 code
    /// unit, which orders U+E000–U+FFFF after the supplementary planes).</summary>
    public static int CompareCodePoints(string? a, string? b)
    {
        if (ReferenceEquals(a, b)) return 0;
        if (a is null) return -1;
        if (b is null) return 1;
        int n = Math.Min(a.Length, b.Length);
        for (int i = 0; i < n; i++)
        {
            char x = a[i], y = b[i];
            if (x != y) return CodePointRank(x).CompareTo(CodePointRank(y));
        }
        return a.Length.CompareTo(b.Length);
    }

    /// <summary>A string comparer ordering by Unicode code point (Python's <c>str</c> order).</summary>
    public static IComparer<string> CodePointComparer { get; } = Comparer<string>.Create(CompareCodePoints);

    // Moves surrogates above U+E000–U+FFFF so that comparing the first differing UTF-16 unit orders by code point.
    private static int CodePointRank(char c) => c switch
    {
        >= '\uD800' and <= '\uDFFF' => c + 0x2000,
        >= '\uE000' => c - 0x800,
        _ => c,
    };

    private static bool IsFinalSigma(string s, int i)
    {
        int j = i;
        int c = 0;
        bool found = false;
        while (j > 0)
        {
            j = PreviousCodePointStart(s, j, out c);
            if (!IsCaseIgnorable(c)) { found = true; break; }
        }
        if (!found || !IsCased(c)) return false;

        j = i + 1;
        while (j < s.Length)
        {
            Rune.DecodeFromUtf16(s.AsSpan(j), out Rune r, out int used);
            if (!IsCaseIgnorable(r.Value)) return !IsCased(r.Value);
            j += used;
        }
        return true;
    }

    private static int PreviousCodePointStart(string s, int end, out int codePoint)
    {
        Rune.DecodeLastFromUtf16(s.AsSpan(0, end), out Rune r, out int used);
        codePoint = r.Value;
        return end - used;
    }

    /// <summary>Approximates the Unicode property Cased: letters of categories Lu/Ll/Lt, any code point with a
    /// lower- or upper-case mapping, the ordinals U+00AA/U+00BA and the squared/negative-circled capital letters
    /// U+1F130–U+1F189 (Other_Uppercase). Agrees with Python 3.11 on every code point assigned in Unicode 14.</summary>
    public static bool IsCased(int codePoint)
    {
        var r = new Rune(codePoint);
        var cat = Rune.GetUnicodeCategory(r);
        if (cat is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter)
            return true;
        if (codePoint is 0xAA or 0xBA or (>= 0x1F130 and <= 0x1F149) or (>= 0x1F150 and <= 0x1F169)
            or (>= 0x1F170 and <= 0x1F189))
            return true;
        return Rune.ToLowerInvariant(r) != r || Rune.ToUpperInvariant(r) != r;
    }

    /// <summary>Approximates the Unicode property Case_Ignorable: categories Mn, Me, Cf, Lm, Sk plus the
    /// Word_Break MidLetter, MidNumLet and Single_Quote characters. Agrees with Python 3.11 on every code point
    /// assigned in Unicode 14 except U+1171E (Mn in Unicode 14, Mc in .NET's newer tables).</summary>
    public static bool IsCaseIgnorable(int codePoint)
    {
        switch (codePoint)
        {
            case 0x27: case 0x2E: case 0x3A: case 0xB7: case 0x387: case 0x55F: case 0x5F4:
            case 0x2018: case 0x2019: case 0x2024: case 0x2027:
            case 0xFE13: case 0xFE52: case 0xFE55: case 0xFF07: case 0xFF0E: case 0xFF1A:
                return true;
        }
        var cat = Rune.GetUnicodeCategory(new Rune(codePoint));
        return cat is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format
            or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol;
    }
}

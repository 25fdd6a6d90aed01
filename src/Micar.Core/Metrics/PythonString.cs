using System.Globalization;
using System.Text;

namespace Micar.Metrics;

/// <summary>
/// The few Python 3 <c>str</c> behaviours the upstream metric code relies on: <c>str.isspace</c>,
/// <c>str.split()</c> without arguments and <c>str.lower()</c> (full Unicode lower-casing, including the
/// two-character result for U+0130 and the Final_Sigma rule for U+03A3).
/// </summary>
internal static class PythonString
{
    /// <summary>Python's whitespace: .NET's set plus the four information separators U+001C..U+001F.</summary>
    public static bool IsWhiteSpace(char c) => char.IsWhiteSpace(c) || c is >= '\u001C' and <= '\u001F';

    /// <summary><c>text.split()</c>: tokens separated by runs of whitespace, never an empty token.</summary>
    public static List<string> SplitWhitespace(string text)
    {
        var tokens = new List<string>();
        int i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && IsWhiteSpace(text[i])) i++;
            int start = i;
            while (i < text.Length && !IsWhiteSpace(text[i])) i++;
            if (i > start) tokens.Add(text.Substring(start, i - start));
        }
        return tokens;
    }

    /// <summary><c>text.lower()</c>.</summary>
    public static string Lower(string text)
    {
        bool ascii = true;
        foreach (char c in text)
        {
            if (c >= 0x80) { ascii = false; break; }
        }
        if (ascii) return text.ToLowerInvariant();

        var sb = new StringBuilder(text.Length);
        int i = 0;
        while (i < text.Length)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out Rune rune, out int used) != System.Buffers.OperationStatus.Done)
            {
                sb.Append(text[i]); // a lone surrogate: Python keeps it unchanged
                i++;
                continue;
            }
            if (rune.Value == 0x0130) sb.Append("i\u0307");
            else if (rune.Value == 0x03A3) sb.Append(IsFinalSigma(text, i) ? '\u03C2' : '\u03C3');
            else sb.Append(Rune.ToLowerInvariant(rune).ToString());
            i += used;
        }
        return sb.ToString();
    }

    /// <summary>Unicode Final_Sigma: a cased letter before (skipping case-ignorables) and none after.</summary>
    private static bool IsFinalSigma(string text, int index)
    {
        int j = index;
        Rune before = default;
        bool found = false;
        while (j > 0)
        {
            Rune.DecodeLastFromUtf16(text.AsSpan(0, j), out Rune r, out int used);
            j -= used;
            if (!IsCaseIgnorable(r)) { before = r; found = true; break; }
        }
        if (!found || !IsCased(before)) return false;
        j = index + 1;
        while (j < text.Length)
        {
            Rune.DecodeFromUtf16(text.AsSpan(j), out Rune r, out int used);
            j += used;
            if (!IsCaseIgnorable(r)) return !IsCased(r);
        }
        return true;
    }

    private static bool IsCased(Rune r)
    {
        var category = Rune.GetUnicodeCategory(r);
        if (category is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter)
            return true;
        int v = r.Value; // Other_Lowercase / Other_Uppercase characters that are not case-ignorable
        return v is 0x00AA or 0x00BA or (>= 0x2160 and <= 0x217F) or (>= 0x24B6 and <= 0x24E9)
            or (>= 0x1F130 and <= 0x1F149) or (>= 0x1F150 and <= 0x1F169) or (>= 0x1F170 and <= 0x1F189);
    }

    private static bool IsCaseIgnorable(Rune r)
    {
        var category = Rune.GetUnicodeCategory(r);
        if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format
            or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol)
            return true;
        // Word_Break MidLetter, MidNumLet and Single_Quote.
        return r.Value is '\'' or '.' or ':' or 0x00B7 or 0x0387 or 0x055F or 0x05F4 or 0x2018 or 0x2019 or 0x2024
            or 0x2027 or 0xFE13 or 0xFE52 or 0xFE55 or 0xFF07 or 0xFF0E or 0xFF1A;
    }
}

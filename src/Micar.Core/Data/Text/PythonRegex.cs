using System.Text;

namespace Micar.Data;

/// <summary>
/// Building blocks for writing .NET regular expressions that match what Python's <c>re</c> matches for
/// <c>str</c> patterns (Unicode mode), including <c>re.IGNORECASE</c>, without relying on .NET's own
/// <c>\b</c>, <c>\w</c>, <c>\s</c> or <see cref="System.Text.RegularExpressions.RegexOptions.IgnoreCase"/>,
/// whose definitions differ from Python's.
/// </summary>
/// <remarks>
/// Python's word characters are <c>str.isalnum()</c> plus <c>_</c>, i.e. letters, numbers (Nd, Nl, No) and the
/// underscore; .NET's <c>\w</c> adds marks and connector punctuation and drops Nl/No, and its <c>\b</c> also counts
/// U+200C/U+200D. Python's case-insensitive ASCII letters also match U+0130 and U+0131 (for i), U+017F (for s) and
/// U+212A (for k); .NET's invariant case folding only adds U+212A. The classes below are checked against Python 3.11
/// for every BMP code point; they differ only for code points Unicode 14 (Python 3.11) leaves unassigned.
/// Characters outside the BMP are seen by .NET as two surrogates and are therefore never word characters or digits
/// here, while Python may count them (e.g. mathematical alphanumerics): a documented residual difference.
/// </remarks>
public static class PythonRegex
{
    /// <summary>Python's <c>\w</c> (Unicode) as a .NET class.</summary>
    public const string WordClass = @"[\p{L}\p{N}_]";

    /// <summary>Python's <c>\b</c> (Unicode) as a .NET zero-width assertion.</summary>
    public const string WordBoundary = @"(?:(?<=[\p{L}\p{N}_])(?![\p{L}\p{N}_])|(?<![\p{L}\p{N}_])(?=[\p{L}\p{N}_]))";

    /// <summary>Python's <c>\d</c> (Unicode decimal digits, Nd) as a .NET class.</summary>
    public const string Digit = @"\p{Nd}";

    /// <summary>Python's <c>\s</c> (Unicode) as a .NET class.</summary>
    public const string Whitespace = PythonText.WhitespaceClass;

    /// <summary>The members of Python's <c>\s</c> without the brackets, for use inside a larger class.</summary>
    public const string WhitespaceMembers = @"\t\n\v\f\r\x1C-\x20\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";

    /// <summary>Python's <c>[a-z]</c> and <c>[a-zA-Z]</c> under <c>re.IGNORECASE</c> as a .NET class.</summary>
    public const string AsciiLetterIgnoreCase = @"[a-zA-Z\u0130\u0131\u017F\u212A]";

    /// <summary>
    /// A .NET pattern matching <paramref name="literal"/> the way Python matches it under <c>re.IGNORECASE</c>:
    /// each ASCII letter becomes a class of the characters Python treats as its case variants; every other
    /// character is matched literally.
    /// </summary>
    public static string IgnoreCase(string literal)
    {
        ArgumentNullException.ThrowIfNull(literal);
        var sb = new StringBuilder();
        foreach (char c in literal)
        {
            if (c is >= 'a' and <= 'z' or >= 'A' and <= 'Z')
            {
                char lower = char.ToLowerInvariant(c);
                sb.Append('[').Append(lower).Append(char.ToUpperInvariant(c));
                sb.Append(lower switch
                {
                    'i' => @"\u0130\u0131",
                    'k' => @"\u212A",
                    's' => @"\u017F",
                    _ => "",
                });
                sb.Append(']');
            }
            else
            {
                sb.Append(System.Text.RegularExpressions.Regex.Escape(c.ToString()));
            }
        }
        return sb.ToString();
    }
}

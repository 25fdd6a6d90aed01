using System.Text;

namespace Micar.Reports.Plotting;

/// <summary>Escaping of text placed in SVG and HTML (both read as XML-compatible markup here).</summary>
public static class Markup
{
    /// <summary>
    /// Escapes <c>&amp; &lt; &gt; " '</c> so that <paramref name="text"/> is safe as element content and as a quoted
    /// attribute value, and replaces characters XML 1.0 forbids (C0 controls other than tab, line feed and
    /// carriage return, U+FFFE, U+FFFF, unpaired surrogates) with U+FFFD. <c>null</c> gives the empty string.
    /// </summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return "";
        if (!NeedsWork(text))
            return text;
        var sb = new StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&#39;"); break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                    {
                        sb.Append(c).Append(text[i + 1]);
                        i++;
                    }
                    else if (IsForbidden(c))
                        sb.Append('\uFFFD');
                    else
                        sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }

    private static bool NeedsWork(string text)
    {
        foreach (var c in text)
            if (c is '&' or '<' or '>' or '"' or '\'' || IsForbidden(c))
                return true;
        return false;
    }

    /// <summary>Forbidden in XML 1.0 text; surrogates count as forbidden here and are re-admitted in valid pairs.</summary>
    private static bool IsForbidden(char c) =>
        (c < '\u0020' && c is not ('\t' or '\n' or '\r')) || char.IsSurrogate(c) || c is '\uFFFE' or '\uFFFF';
}

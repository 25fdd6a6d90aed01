namespace Micar.Reports.Plotting;

/// <summary>
/// Approximate text widths for layout (no font files are read): per-character advance widths close to
/// DejaVu Sans, the widest common sans-serif, so that estimates err on the roomy side for other fonts.
/// </summary>
internal static class TextMeasure
{
    /// <summary>Estimated width in pixels of <paramref name="text"/> at <paramref name="size"/> pixels.</summary>
    public static double Width(string text, double size)
    {
        var em = 0.0;
        foreach (var c in text)
            em += Advance(c);
        return em * size;
    }

    /// <summary>Estimated width of bold text (about 12 % wider than regular).</summary>
    public static double BoldWidth(string text, double size) => Width(text, size) * 1.12;

    /// <summary><paramref name="text"/> cut to at most <paramref name="maxChars"/> characters, ending in "…" when cut.</summary>
    public static string Truncate(string text, int maxChars) =>
        text.Length <= maxChars ? text : string.Concat(text.AsSpan(0, Math.Max(1, maxChars - 1)), "…");

    private static double Advance(char c) => c switch
    {
        'i' or 'j' or 'l' or '.' or ',' or ':' or ';' or '\'' or '|' or '!' or ' ' => 0.32,
        'f' or 't' or 'r' or '(' or ')' or '[' or ']' or '-' or '/' => 0.42,
        'm' or 'w' or 'M' or 'W' or '@' or '%' => 0.92,
        >= 'A' and <= 'Z' => 0.72,
        >= '0' and <= '9' => 0.64,
        < '\u0080' => 0.6,
        _ when char.IsLowSurrogate(c) => 0.0,
        _ => 1.0,   // CJK and other wide scripts
    };
}

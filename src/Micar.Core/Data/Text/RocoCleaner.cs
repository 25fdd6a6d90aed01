using System.Text.RegularExpressions;

namespace Micar.Data;

/// <summary>The official ROCO caption cleaner.</summary>
/// <remarks>
/// <c>\n</c> and <c>\t</c> → space; case-insensitive replacement by <c>xxxx</c> of ages
/// (<c>\b\d{1,3}[-\s]?(year[-\s]?old)\b</c>) and then of measurements
/// (<c>\b\d+(?:\.\d+)?\s?(mm|cm|m|kg|g|mg|ml)\b</c>) (Python <c>re</c> semantics, see <see cref="PythonRegex"/>);
/// collapse whitespace, strip; append <c>.</c> if missing; drop that final character, replace every <c>.</c> by
/// <c>" . "</c> and every <c>,</c> by <c>" , "</c>, append <c>" ."</c>, strip, lower-case.
/// </remarks>
public static class RocoCleaner
{
    private static readonly Regex Age = new(BuildAgePattern(), RegexOptions.CultureInvariant);
    private static readonly Regex Measurement = new(BuildMeasurementPattern(), RegexOptions.CultureInvariant);

    /// <summary>Cleans one ROCO caption.</summary>
    public static string Clean(string caption)
    {
        ArgumentNullException.ThrowIfNull(caption);
        string c = caption.Replace('\n', ' ').Replace('\t', ' ');
        c = Age.Replace(c, "xxxx");
        c = Measurement.Replace(c, "xxxx");
        c = PythonText.Strip(PythonText.CollapseWhitespace(c));
        if (!c.EndsWith('.')) c += ".";
        c = c[..^1].Replace(".", " . ").Replace(",", " , ") + " .";
        return PythonText.Lower(PythonText.Strip(c));
    }

    private static string BuildAgePattern()
    {
        string b = PythonRegex.WordBoundary;
        string sep = $"[\\-{PythonRegex.WhitespaceMembers}]";
        return $"{b}{PythonRegex.Digit}{{1,3}}{sep}?(?:{PythonRegex.IgnoreCase("year")}{sep}?{PythonRegex.IgnoreCase("old")}){b}";
    }

    private static string BuildMeasurementPattern()
    {
        string b = PythonRegex.WordBoundary;
        string d = PythonRegex.Digit;
        string units = string.Join("|", new[] { "mm", "cm", "m", "kg", "g", "mg", "ml" }.Select(PythonRegex.IgnoreCase));
        return $"{b}{d}+(?:\\.{d}+)?{PythonRegex.Whitespace}?(?:{units}){b}";
    }
}

namespace Micar.Data;

/// <summary>The official COVCTR report cleaner.</summary>
/// <remarks>Delete <c>"</c>, <c>(</c>, <c>)</c>; <c>,</c> → <c>" ,"</c>; delete <c>-</c>; <c>;</c> → <c>" ,"</c>;
/// <c>.</c> → <c>" ."</c>; strip; lower-case; append <c>" ."</c> unless the text ends with <c>.</c>.</remarks>
public static class CovctrCleaner
{
    /// <summary>Cleans one English COVCTR report.</summary>
    /// <exception cref="ArgumentException">The report is empty after cleaning (the official code fails on it
    /// with an <c>IndexError</c>).</exception>
    public static string Clean(string report)
    {
        ArgumentNullException.ThrowIfNull(report);
        string text = report.Replace("\"", "").Replace("(", "").Replace(")", "").Replace(",", " ,")
            .Replace("-", "").Replace(";", " ,").Replace(".", " .");
        text = PythonText.Lower(PythonText.Strip(text));
        if (text.Length == 0) throw new ArgumentException("the report is empty after cleaning", nameof(report));
        return text[^1] != '.' ? text + " ." : text;
    }
}

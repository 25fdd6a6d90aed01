using System.Text;

namespace Micar.Data;

/// <summary>
/// The sentence cleaner shared by the official PGROSS and MM-Retinal preprocessors (and, without the
/// <c>". ."</c> step, R2Gen's IU X-Ray cleaner).
/// </summary>
/// <remarks>
/// (i) Replace <c>".."</c> by <c>"."</c> three times, delete every <c>"1. "</c>, replace <c>". 2. "</c> …
/// <c>". 5. "</c> by <c>". "</c>, then <c>" 2. "</c> … <c>" 5. "</c> by <c>". "</c>, then (optionally)
/// <c>". ."</c> by <c>"."</c>; strip; lower-case; split on <c>". "</c>. (ii) In every piece delete <c>"</c>,
/// <c>/</c>, <c>\</c>, <c>'</c>; strip; lower-case; delete each character of the official class
/// <c>[.,?;*!%^&amp;_+():-\[\]{}]</c>, whose <c>:-\[</c> is a range (<c>: ; &lt; = &gt; ? @ A–Z [</c>), so the
/// hyphen itself is kept. (iii) Join the pieces with <c>" . "</c> and append <c>" ."</c>; empty pieces are kept.
/// </remarks>
public static class SentenceCleaner
{
    /// <summary>Cleans <paramref name="report"/> like the official <c>_clean_report</c> helpers.</summary>
    /// <param name="report">Raw report text.</param>
    /// <param name="collapseSpacedPeriods">Whether to apply the <c>". ." → "."</c> step (PGROSS and MM-Retinal do;
    /// R2Gen's IU X-Ray cleaner does not).</param>
    public static string Clean(string report, bool collapseSpacedPeriods = true)
    {
        ArgumentNullException.ThrowIfNull(report);
        var sb = new StringBuilder();
        bool first = true;
        foreach (var piece in SplitSentences(report, collapseSpacedPeriods))
        {
            if (!first) sb.Append(" . ");
            first = false;
            sb.Append(CleanSentence(piece));
        }
        return sb.Append(" .").ToString();
    }

    /// <summary>Step (i): the report-level replacements, strip, lower-case and the split on <c>". "</c>.</summary>
    public static string[] SplitSentences(string report, bool collapseSpacedPeriods = true)
    {
        ArgumentNullException.ThrowIfNull(report);
        string t = report.Replace("..", ".").Replace("..", ".").Replace("..", ".")
            .Replace("1. ", "")
            .Replace(". 2. ", ". ").Replace(". 3. ", ". ").Replace(". 4. ", ". ").Replace(". 5. ", ". ")
            .Replace(" 2. ", ". ").Replace(" 3. ", ". ").Replace(" 4. ", ". ").Replace(" 5. ", ". ");
        if (collapseSpacedPeriods) t = t.Replace(". .", ".");
        t = PythonText.Lower(PythonText.Strip(t));
        return t.Split(". ");
    }

    /// <summary>Step (ii) for one piece.</summary>
    public static string CleanSentence(string sentence)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        string t = sentence.Replace("\"", "").Replace("/", "").Replace("\\", "").Replace("'", "");
        t = PythonText.Lower(PythonText.Strip(t));
        var sb = new StringBuilder(t.Length);
        foreach (char c in t)
        {
            if (!IsDeleted(c)) sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>Whether the official class <c>[.,?;*!%^&amp;_+():-\[\]{}]</c> contains <paramref name="c"/>.</summary>
    public static bool IsDeleted(char c) => c switch
    {
        '.' or ',' or '?' or ';' or '*' or '!' or '%' or '^' or '&' or '_' or '+' or '(' or ')' => true,
        >= ':' and <= '[' => true,
        ']' or '{' or '}' => true,
        _ => false,
    };
}

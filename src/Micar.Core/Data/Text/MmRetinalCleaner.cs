using System.Text.RegularExpressions;

namespace Micar.Data;

/// <summary>The official MM-Retinal caption cleaner.</summary>
/// <remarks>
/// (1) Replace by a space, case-insensitively, every figure reference matched by the official pattern
/// <c>\b(?:same (?:person|patient|eye) as (?:fig(?:ure|s)\.|figures?)? \d{1,2}-\d{1,2}[a-zA-Z]?(?: and [a-zA-Z])?|fig(?:ure|s)?\.? \d{1,2}-\d{1,2}[a-zA-Z]?|[a-z] (?:for|is|shows))\b[.,]?</c>
/// (Python <c>re</c>, Unicode, <c>IGNORECASE</c>; translated with <see cref="PythonRegex"/>); (2) collapse
/// whitespace runs to one space and strip; (3) append <c>.</c> unless empty or already ending with <c>.</c>;
/// (4) lower-case; (5) the <see cref="SentenceCleaner"/>.
/// </remarks>
public static class MmRetinalCleaner
{
    private static readonly string FigureReferencePattern = BuildPattern();

    private static readonly Regex FigureReference = new(FigureReferencePattern, RegexOptions.CultureInvariant);

    /// <summary>The .NET translation of the official figure-reference pattern.</summary>
    public static string Pattern => FigureReferencePattern;

    /// <summary>Step (1) alone: figure references replaced by a space.</summary>
    public static string RemoveFigureReferences(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return FigureReference.Replace(text, " ");
    }

    /// <summary>Cleans one English MM-Retinal caption.</summary>
    public static string Clean(string caption)
    {
        ArgumentNullException.ThrowIfNull(caption);
        string cleaned = RemoveFigureReferences(caption);
        cleaned = PythonText.Strip(PythonText.CollapseWhitespace(cleaned));
        if (cleaned.Length > 0 && cleaned[^1] != '.') cleaned += ".";
        cleaned = PythonText.Lower(cleaned);
        return SentenceCleaner.Clean(cleaned);
    }

    private static string BuildPattern()
    {
        static string Ci(string s) => PythonRegex.IgnoreCase(s);
        string b = PythonRegex.WordBoundary;
        string d = PythonRegex.Digit;
        string letter = PythonRegex.AsciiLetterIgnoreCase;
        string numbers = $"{d}{{1,2}}-{d}{{1,2}}";
        string same = $"{Ci("same ")}(?:{Ci("person")}|{Ci("patient")}|{Ci("eye")}){Ci(" as ")}"
            + $"(?:{Ci("fig")}(?:{Ci("ure")}|{Ci("s")})\\.|{Ci("figure")}{Ci("s")}?)? {numbers}{letter}?(?: {Ci("and")} {letter})?";
        string fig = $"{Ci("fig")}(?:{Ci("ure")}|{Ci("s")})?\\.? {numbers}{letter}?";
        string panel = $"{letter} (?:{Ci("for")}|{Ci("is")}|{Ci("shows")})";
        return $"{b}(?:{same}|{fig}|{panel}){b}[.,]?";
    }
}

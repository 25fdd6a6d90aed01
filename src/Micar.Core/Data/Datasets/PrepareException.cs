namespace Micar.Data;

/// <summary>Raised by <see cref="Prepare.Run(string, string, string, PrepareOptions)"/> when the source has bad rows and <c>skipBad</c> is not set.</summary>
public sealed class PrepareException : Exception
{
    /// <summary>Creates the exception for <paramref name="issues"/> (all bad rows, in source order).</summary>
    public PrepareException(string dataset, IReadOnlyList<RowIssue> issues)
        : base(FormatMessage(dataset, issues))
    {
        Issues = issues;
    }

    /// <summary>Every bad row, in source order.</summary>
    public IReadOnlyList<RowIssue> Issues { get; }

    private static string FormatMessage(string dataset, IReadOnlyList<RowIssue> issues)
    {
        const int shown = 5;
        var lines = issues.Take(shown).Select(i => $"  {i.Origin}: {i.Reason}");
        string more = issues.Count > shown ? $"\n  … and {issues.Count - shown} more" : "";
        return $"{dataset}: {issues.Count} bad row(s); fix them or prepare with skipBad to leave them out:\n"
            + string.Join("\n", lines) + more;
    }
}

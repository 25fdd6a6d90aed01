namespace Micar.Data;

/// <summary>A source row left out of the prepared splits, and why.</summary>
/// <param name="Split">The split the row fell in (<c>train</c>, <c>val</c> or <c>test</c>), or empty when it was
/// removed before splitting.</param>
/// <param name="Origin">Where the row comes from, e.g. <c>reports.csv line 12</c>.</param>
/// <param name="Reason">Why it was left out.</param>
public sealed record RowIssue(string Split, string Origin, string Reason)
{
    /// <inheritdoc/>
    public override string ToString() => Split.Length > 0 ? $"{Origin} ({Split}): {Reason}" : $"{Origin}: {Reason}";
}

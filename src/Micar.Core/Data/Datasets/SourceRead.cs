namespace Micar.Data;

/// <summary>What <see cref="IDatasetRecipe.Read"/> returns: the cleaned rows in groups, before splitting.</summary>
/// <param name="Groups">The groups in source order (see <see cref="SplitRule"/> for what they mean).</param>
/// <param name="DroppedBeforeSplit">Rows the official code drops before splitting (they take no part in it).</param>
public sealed record SourceRead(IReadOnlyList<SourceGroup> Groups, IReadOnlyList<RowIssue> DroppedBeforeSplit)
{
    /// <summary>All rows as one group named <paramref name="name"/>.</summary>
    public static SourceRead Single(string name, IReadOnlyList<SourceRow> rows, IReadOnlyList<RowIssue> droppedBeforeSplit) =>
        new([new SourceGroup(name, rows)], droppedBeforeSplit);
}

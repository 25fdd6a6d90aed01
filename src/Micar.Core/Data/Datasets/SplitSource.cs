namespace Micar.Data;

/// <summary>Source rows assigned to the three splits, plus the rows removed before splitting.</summary>
/// <param name="All">Every row that took part in splitting, in source order.</param>
/// <param name="Train">Training rows in output order.</param>
/// <param name="Val">Validation rows in output order.</param>
/// <param name="Test">Test rows in output order.</param>
/// <param name="DroppedBeforeSplit">Rows the official code drops before splitting.</param>
internal sealed record SplitSource(
    IReadOnlyList<SourceRow> All, IReadOnlyList<SourceRow> Train, IReadOnlyList<SourceRow> Val,
    IReadOnlyList<SourceRow> Test, IReadOnlyList<RowIssue> DroppedBeforeSplit)
{
    /// <summary>Splits <paramref name="rows"/> by <paramref name="plan"/>.</summary>
    public static SplitSource FromPlan(IReadOnlyList<SourceRow> rows, SplitPlan plan, IReadOnlyList<RowIssue> droppedBeforeSplit)
    {
        var s = plan.Apply(rows.Count);
        return new SplitSource(rows, s.Train.Select(i => rows[i]).ToList(), s.Val.Select(i => rows[i]).ToList(),
            s.Test.Select(i => rows[i]).ToList(), droppedBeforeSplit);
    }
}

namespace Micar.Data;

/// <summary>What <see cref="Prepare.Run(string, string, string, PrepareOptions)"/> wrote.</summary>
/// <param name="Dataset">Canonical dataset name (<see cref="IDatasetRecipe.Name"/>).</param>
/// <param name="OutDir">Full path of the output folder holding <c>train.csv</c>, <c>val.csv</c> and <c>test.csv</c>.</param>
/// <param name="Train">Rows written to <c>train.csv</c>.</param>
/// <param name="Val">Rows written to <c>val.csv</c>.</param>
/// <param name="Test">Rows written to <c>test.csv</c>.</param>
/// <param name="Dropped">Rows the official preprocessing itself removes (its <c>dropna()</c> calls).</param>
/// <param name="Skipped">Bad rows left out because <c>skipBad</c> was set (the official code would fail on them or
/// produce a path to a missing image).</param>
public sealed record PrepareResult(
    string Dataset, string OutDir, int Train, int Val, int Test,
    IReadOnlyList<RowIssue> Dropped, IReadOnlyList<RowIssue> Skipped)
{
    /// <summary>Path of <c>train.csv</c>.</summary>
    public string TrainCsv => new DatasetFolder(OutDir).SplitCsv(DatasetFolder.Train);

    /// <summary>Path of <c>val.csv</c>.</summary>
    public string ValCsv => new DatasetFolder(OutDir).SplitCsv(DatasetFolder.Val);

    /// <summary>Path of <c>test.csv</c>.</summary>
    public string TestCsv => new DatasetFolder(OutDir).SplitCsv(DatasetFolder.Test);
}

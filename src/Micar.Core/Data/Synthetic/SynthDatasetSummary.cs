namespace Micar.Data.Synthetic;

/// <summary>What <see cref="SynthDataset.Write"/> produced.</summary>
/// <param name="OutDir">Absolute path of the dataset folder.</param>
/// <param name="Seed">Dataset seed.</param>
/// <param name="Size">Image side in pixels.</param>
/// <param name="Train">Rows in <c>train.csv</c>.</param>
/// <param name="Val">Rows in <c>val.csv</c>.</param>
/// <param name="Test">Rows in <c>test.csv</c>.</param>
/// <param name="Normal">Studies without findings.</param>
/// <param name="FindingCounts">Number of findings of each type over all studies.</param>
/// <param name="Elapsed">Wall-clock time of the whole write.</param>
public sealed record SynthDatasetSummary(
    string OutDir,
    long Seed,
    int Size,
    int Train,
    int Val,
    int Test,
    int Normal,
    IReadOnlyDictionary<FindingType, int> FindingCounts,
    TimeSpan Elapsed)
{
    /// <summary>Total number of studies.</summary>
    public int Count => Train + Val + Test;
}

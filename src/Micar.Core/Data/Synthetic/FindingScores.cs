namespace Micar.Data.Synthetic;

/// <summary>
/// Finding-level agreement of predicted with reference reports, micro-averaged over a corpus: true positives,
/// predicted and reference findings are summed over all reports before the ratios are taken.
/// </summary>
/// <param name="Reports">Number of (prediction, reference) pairs.</param>
/// <param name="Predicted">Findings extracted from all predictions.</param>
/// <param name="Reference">Findings in all references.</param>
/// <param name="TruePositives">Sum over reports of the size of the multiset intersection of matching keys.</param>
/// <param name="Precision">TruePositives / Predicted; 1 when both counts are 0, 0 when only Predicted is.</param>
/// <param name="Recall">TruePositives / Reference; 1 when both counts are 0, 0 when only Reference is.</param>
/// <param name="F1">Harmonic mean of precision and recall (0 when both are 0).</param>
/// <param name="ExactMatch">Fraction of reports whose predicted keys equal the reference keys exactly (normal = normal counts).</param>
public sealed record FindingScores(
    int Reports,
    int Predicted,
    int Reference,
    int TruePositives,
    double Precision,
    double Recall,
    double F1,
    double ExactMatch);

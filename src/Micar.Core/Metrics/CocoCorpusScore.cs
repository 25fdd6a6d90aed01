namespace Micar.Metrics;

/// <summary>A coco-flavour corpus value with the per-item values it averages.</summary>
/// <param name="Score">The corpus value (the mean of <paramref name="ItemScores"/>).</param>
/// <param name="ItemScores">One value per item, in input order.</param>
public sealed record CocoCorpusScore(double Score, IReadOnlyList<double> ItemScores);

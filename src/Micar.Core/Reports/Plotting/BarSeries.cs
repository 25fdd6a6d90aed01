namespace Micar.Reports.Plotting;

/// <summary>One colour of bars in a <see cref="BarChart"/>: a value per category.</summary>
/// <param name="Name">Legend text.</param>
/// <param name="Values">One value per category.</param>
public sealed record BarSeries(string Name, IReadOnlyList<double> Values)
{
    /// <summary>Text written above each bar (e.g. raw counts), one per category, or none.</summary>
    public IReadOnlyList<string>? BarLabels { get; init; }
}

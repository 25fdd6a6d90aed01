namespace Micar.Reports.Plotting;

/// <summary>
/// One line of a <see cref="LineChart"/>: points (X[i], Y[i]) joined in order. Non-finite values (and values ≤ 0
/// on a log axis) are not drawn and break the line there.
/// </summary>
/// <param name="Name">Legend text.</param>
/// <param name="X">X coordinates.</param>
/// <param name="Y">Y coordinates, as many as <paramref name="X"/>.</param>
public sealed record LineSeries(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y)
{
    /// <summary>Draw the line dashed.</summary>
    public bool Dashed { get; init; }

    /// <summary>Explicit colour; the palette colour of the series index when null.</summary>
    public Rgb? Color { get; init; }

    /// <summary>Radius of the point markers (drawn for series of at most <see cref="LineChart.MarkerLimit"/> points).</summary>
    public double MarkerRadius { get; init; } = 2.4;
}

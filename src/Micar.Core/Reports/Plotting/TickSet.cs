namespace Micar.Reports.Plotting;

/// <summary>An axis range and the tick values and labels drawn on it.</summary>
/// <param name="Min">Lower end of the axis (a tick for loose linear axes and log axes).</param>
/// <param name="Max">Upper end of the axis.</param>
/// <param name="Values">Tick positions in data units, ascending, all within [Min, Max].</param>
/// <param name="Labels">One label per tick value.</param>
public sealed record TickSet(double Min, double Max, IReadOnlyList<double> Values, IReadOnlyList<string> Labels);

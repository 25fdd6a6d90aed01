namespace Micar.Reports.Plotting;

/// <summary>A horizontal dashed grey line across a chart at <paramref name="Value"/>, listed in the legend as <paramref name="Label"/>.</summary>
public sealed record ReferenceLine(double Value, string Label);

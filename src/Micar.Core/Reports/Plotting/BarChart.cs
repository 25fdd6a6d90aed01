namespace Micar.Reports.Plotting;

/// <summary>
/// A grouped bar chart: one group per category along x, one bar per series in each group, a value axis from 0
/// (or below, for negative values) with nice ticks, a legend when there are several series, and optional
/// horizontal reference lines.
/// </summary>
public sealed record BarChart
{
    /// <summary>Names of the groups along the x axis.</summary>
    public required IReadOnlyList<string> Categories { get; init; }

    /// <summary>The bars: each series has one value per category.</summary>
    public required IReadOnlyList<BarSeries> Series { get; init; }

    /// <summary>Title above the plot.</summary>
    public string? Title { get; init; }

    /// <summary>Label under the x axis.</summary>
    public string? XLabel { get; init; }

    /// <summary>Label left of the y axis (rotated).</summary>
    public string? YLabel { get; init; }

    /// <summary>Horizontal reference lines (e.g. a uniform load).</summary>
    public IReadOnlyList<ReferenceLine> ReferenceLines { get; init; } = [];

    /// <summary>Outer width in pixels.</summary>
    public double Width { get; init; } = 560;

    /// <summary>Outer height in pixels.</summary>
    public double Height { get; init; } = 320;

    /// <summary>Draws the chart.</summary>
    /// <exception cref="ArgumentException">No categories or series, a series without one value per category, or no room to plot.</exception>
    public SvgFigure Render()
    {
        if (Categories.Count == 0 || Series.Count == 0)
            throw new ArgumentException($"Bar chart '{Title}' needs at least one category and one series.");
        for (var s = 0; s < Series.Count; s++)
        {
            if (Series[s].Values.Count != Categories.Count)
                throw new ArgumentException(
                    $"Bar chart '{Title}' series {s} ('{Series[s].Name}') has {Series[s].Values.Count} values for {Categories.Count} categories.");
            if (Series[s].BarLabels is { } labels && labels.Count != Categories.Count)
                throw new ArgumentException(
                    $"Bar chart '{Title}' series {s} ('{Series[s].Name}') has {labels.Count} bar labels for {Categories.Count} categories.");
        }

        var values = Series.SelectMany(s => s.Values).Concat(ReferenceLines.Select(r => r.Value)).Where(double.IsFinite).Append(0).ToArray();
        var ticks = NiceTicks.Linear(values.Min(), values.Max());
        var legend = Series.Select((s, i) => (s.Name, Palette.Series(i).ToHex(), (string?)null, true))
            .Concat(ReferenceLines.Select(r => (r.Label, "#888888", (string?)"3,3", false)))
            .ToList();
        if (legend.Count < 2)
            legend.Clear();
        var frame = ChartFrame.Layout(Width, Height, Title, XLabel, YLabel, ticks.Labels, legend.Select(l => l.Item1).ToArray());
        double ToY(double v) => frame.Bottom - (v - ticks.Min) / (ticks.Max - ticks.Min) * frame.PlotHeight;

        var svg = new SvgBuilder();
        frame.DrawYTicks(svg, ticks, ToY);
        frame.DrawFrame(svg, Width, Title, XLabel, YLabel);
        var groupWidth = frame.PlotWidth / Categories.Count;
        var barWidth = groupWidth * 0.8 / Series.Count;
        var zero = ToY(0);
        for (var c = 0; c < Categories.Count; c++)
        {
            var groupLeft = frame.Left + c * groupWidth + groupWidth * 0.1;
            svg.Text(frame.Left + (c + 0.5) * groupWidth, frame.Bottom + 6 + ChartFrame.TickFont, Categories[c], TextAnchor.Middle, ChartFrame.TickFont);
            for (var s = 0; s < Series.Count; s++)
            {
                var v = Series[s].Values[c];
                if (!double.IsFinite(v))
                    continue;
                var x = groupLeft + s * barWidth;
                var y = ToY(v);
                svg.Rect(x + 0.5, Math.Min(y, zero), Math.Max(barWidth - 1, 0.5), Math.Abs(zero - y), Palette.Series(s).ToHex(),
                    tooltip: $"{Series[s].Name}, {Categories[c]}: {NiceTicks.FormatCompact(v)}");
                if (Series[s].BarLabels is { } labels && !string.IsNullOrEmpty(labels[c]))
                    svg.Text(x + barWidth / 2, Math.Min(y, zero) - 3, labels[c], TextAnchor.Middle, 9, fill: "#444444");
            }
        }
        if (ticks.Min < 0)
            svg.Line(frame.Left, zero, frame.Right, zero, ChartFrame.AxisColor);
        foreach (var r in ReferenceLines.Where(r => double.IsFinite(r.Value)))
            svg.Line(frame.Left, ToY(r.Value), frame.Right, ToY(r.Value), "#888888", 1.2, "3,3");
        frame.DrawLegend(svg, legend);
        return svg.ToFigure(Width, Height);
    }
}

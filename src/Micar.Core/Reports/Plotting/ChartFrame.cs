namespace Micar.Reports.Plotting;

/// <summary>The plot rectangle of a chart and the drawing of its frame: title, axis labels, ticks, grid and legend.</summary>
internal sealed class ChartFrame
{
    public const double TickFont = 10;
    public const double LabelFont = 11;
    public const double TitleFont = 13;
    public const string AxisColor = "#444444";
    public const string GridColor = "#e4e4e4";

    public required double Left { get; init; }
    public required double Top { get; init; }
    public required double Right { get; init; }
    public required double Bottom { get; init; }

    public double PlotWidth => Right - Left;
    public double PlotHeight => Bottom - Top;

    /// <summary>
    /// Lays out a chart of the given outer size: room on the left for the y tick labels (and y label), on top for
    /// the title, below for the x tick labels (and x label), on the right for the legend.
    /// </summary>
    public static ChartFrame Layout(double width, double height, string? title, string? xLabel, string? yLabel,
        IEnumerable<string> yTickLabels, IReadOnlyList<string> legend)
    {
        var yTickWidth = yTickLabels.Select(l => TextMeasure.Width(l, TickFont)).DefaultIfEmpty(0).Max();
        var left = 8 + (yLabel is null ? 0 : LabelFont + 8) + yTickWidth + 8;
        var legendWidth = legend.Count == 0 ? 0 : 14 + 24 + legend.Max(l => TextMeasure.Width(l, LabelFont)) + 8;
        var frame = new ChartFrame
        {
            Left = left,
            Top = title is null ? 12 : TitleFont + 20,
            Right = width - 14 - legendWidth,
            Bottom = height - (8 + TickFont + 6 + (xLabel is null ? 0 : LabelFont + 8)),
        };
        if (frame.PlotWidth < 20 || frame.PlotHeight < 20)
            throw new ArgumentException(
                $"A {width}x{height} chart leaves no room to plot once its labels and legend are placed; make it larger.");
        return frame;
    }

    /// <summary>Title centred over the plot, axis labels, axis lines.</summary>
    public void DrawFrame(SvgBuilder svg, double width, string? title, string? xLabel, string? yLabel)
    {
        if (title is not null)
            svg.Text(width / 2, 8 + TitleFont, title, TextAnchor.Middle, TitleFont, bold: true);
        if (xLabel is not null)
            svg.Text((Left + Right) / 2, Bottom + TickFont + 10 + LabelFont + 4, xLabel, TextAnchor.Middle, LabelFont);
        if (yLabel is not null)
            svg.Text(8 + LabelFont, (Top + Bottom) / 2, yLabel, TextAnchor.Middle, LabelFont, rotate: -90);
        svg.Line(Left, Bottom, Right, Bottom, AxisColor);
        svg.Line(Left, Top, Left, Bottom, AxisColor);
    }

    /// <summary>Y ticks with labels and light horizontal grid lines; <paramref name="toY"/> maps a value to a pixel row.</summary>
    public void DrawYTicks(SvgBuilder svg, TickSet ticks, Func<double, double> toY)
    {
        for (var i = 0; i < ticks.Values.Count; i++)
        {
            var y = toY(ticks.Values[i]);
            if (y < Bottom - 0.5)
                svg.Line(Left, y, Right, y, GridColor);
            svg.Line(Left - 4, y, Left, y, AxisColor);
            svg.Text(Left - 6, y, ticks.Labels[i], TextAnchor.End, TickFont, middle: true);
        }
    }

    /// <summary>X ticks with labels; <paramref name="toX"/> maps a value to a pixel column.</summary>
    public void DrawXTicks(SvgBuilder svg, TickSet ticks, Func<double, double> toX)
    {
        for (var i = 0; i < ticks.Values.Count; i++)
        {
            var x = toX(ticks.Values[i]);
            svg.Line(x, Bottom, x, Bottom + 4, AxisColor);
            svg.Text(x, Bottom + 6 + TickFont, ticks.Labels[i], TextAnchor.Middle, TickFont);
        }
    }

    /// <summary>Legend to the right of the plot: a short line (or box) sample and the label per entry.</summary>
    public void DrawLegend(SvgBuilder svg, IReadOnlyList<(string Label, string Color, string? Dash, bool Box)> entries)
    {
        var x = Right + 14;
        for (var i = 0; i < entries.Count; i++)
        {
            var (label, color, dash, box) = entries[i];
            var y = Top + 8 + i * 18;
            if (box)
                svg.Rect(x + 4, y - 6, 14, 12, color);
            else
                svg.Line(x, y, x + 22, y, color, 2, dash);
            svg.Text(x + 28, y, label, TextAnchor.Start, LabelFont, middle: true);
        }
    }
}

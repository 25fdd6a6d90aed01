namespace Micar.Reports.Plotting;

/// <summary>
/// A line chart: axes with nice ticks, horizontal grid lines, optional title and axis labels, a legend on the
/// right when there is more than one entry, optional horizontal reference lines. Points are marked with dots
/// when a series has at most <see cref="MarkerLimit"/> points.
/// </summary>
public sealed record LineChart
{
    /// <summary>Series with at most this many points get a dot at each point.</summary>
    public const int MarkerLimit = 40;

    /// <summary>The lines, drawn in order (later on top).</summary>
    public required IReadOnlyList<LineSeries> Series { get; init; }

    /// <summary>Title above the plot.</summary>
    public string? Title { get; init; }

    /// <summary>Label under the x axis.</summary>
    public string? XLabel { get; init; }

    /// <summary>Label left of the y axis (rotated).</summary>
    public string? YLabel { get; init; }

    /// <summary>Y axis scale (log-10 for quantities such as learning rates).</summary>
    public AxisScale YScale { get; init; } = AxisScale.Linear;

    /// <summary>X ticks only at whole numbers (epochs, steps).</summary>
    public bool IntegerX { get; init; }

    /// <summary>Values the y axis must include besides the data (e.g. 0 for losses).</summary>
    public IReadOnlyList<double> IncludeY { get; init; } = [];

    /// <summary>Horizontal reference lines.</summary>
    public IReadOnlyList<ReferenceLine> ReferenceLines { get; init; } = [];

    /// <summary>Outer width in pixels.</summary>
    public double Width { get; init; } = 560;

    /// <summary>Outer height in pixels.</summary>
    public double Height { get; init; } = 320;

    /// <summary>Draws the chart.</summary>
    /// <exception cref="ArgumentException">A series has X and Y of different lengths, or the size leaves no room to plot.</exception>
    public SvgFigure Render()
    {
        for (var s = 0; s < Series.Count; s++)
            if (Series[s].X.Count != Series[s].Y.Count)
                throw new ArgumentException(
                    $"Series {s} ('{Series[s].Name}') has {Series[s].X.Count} x values but {Series[s].Y.Count} y values.");

        var xs = new List<double>();
        var ys = new List<double>(IncludeY);
        ys.AddRange(ReferenceLines.Select(r => r.Value));
        foreach (var series in Series)
            for (var i = 0; i < series.X.Count; i++)
                if (Drawable(series.X[i], series.Y[i]))
                {
                    xs.Add(series.X[i]);
                    ys.Add(series.Y[i]);
                }
        ys.RemoveAll(y => !DrawableY(y));

        var xTicks = xs.Count == 0 ? NiceTicks.Linear(0, 1) : NiceTicks.Linear(xs.Min(), xs.Max(), 7, IntegerX ? 1 : 0);
        var yTicks = YScale == AxisScale.Log10
            ? ys.Count == 0 ? NiceTicks.Log10(1, 10) : NiceTicks.Log10(ys.Min(), ys.Max())
            : ys.Count == 0 ? NiceTicks.Linear(0, 1) : NiceTicks.Linear(ys.Min(), ys.Max());

        var legend = new List<(string Label, string Color, string? Dash, bool Box)>();
        for (var s = 0; s < Series.Count; s++)
            legend.Add((Series[s].Name, SeriesColor(s), Series[s].Dashed ? "6,3" : null, false));
        foreach (var r in ReferenceLines)
            legend.Add((r.Label, "#888888", "3,3", false));
        if (legend.Count < 2)
            legend.Clear();

        var frame = ChartFrame.Layout(Width, Height, Title, XLabel, YLabel, yTicks.Labels, legend.Select(l => l.Label).ToArray());
        double ToX(double x) => frame.Left + (x - xTicks.Min) / (xTicks.Max - xTicks.Min) * frame.PlotWidth;
        double ToY(double y) => YScale == AxisScale.Log10
            ? frame.Bottom - (Math.Log10(y) - Math.Log10(yTicks.Min)) / (Math.Log10(yTicks.Max) - Math.Log10(yTicks.Min)) * frame.PlotHeight
            : frame.Bottom - (y - yTicks.Min) / (yTicks.Max - yTicks.Min) * frame.PlotHeight;

        var svg = new SvgBuilder();
        frame.DrawYTicks(svg, yTicks, ToY);
        frame.DrawXTicks(svg, xTicks, ToX);
        frame.DrawFrame(svg, Width, Title, XLabel, YLabel);
        foreach (var r in ReferenceLines.Where(r => DrawableY(r.Value)))
            svg.Line(frame.Left, ToY(r.Value), frame.Right, ToY(r.Value), "#888888", 1.2, "3,3");
        for (var s = 0; s < Series.Count; s++)
            DrawSeries(svg, Series[s], SeriesColor(s), ToX, ToY);
        if (xs.Count == 0)
            svg.Text((frame.Left + frame.Right) / 2, (frame.Top + frame.Bottom) / 2, "no data", TextAnchor.Middle, ChartFrame.LabelFont, fill: "#888888");
        frame.DrawLegend(svg, legend);
        return svg.ToFigure(Width, Height);
    }

    private string SeriesColor(int index) => (Series[index].Color ?? Palette.Series(index)).ToHex();

    private bool DrawableY(double y) => double.IsFinite(y) && (YScale != AxisScale.Log10 || y > 0);

    private bool Drawable(double x, double y) => double.IsFinite(x) && DrawableY(y);

    private void DrawSeries(SvgBuilder svg, LineSeries series, string color, Func<double, double> toX, Func<double, double> toY)
    {
        var segment = new List<(double X, double Y)>();
        var points = new List<(double X, double Y, double Value)>();
        void Flush()
        {
            if (segment.Count > 1)
                svg.Polyline(segment, color, 1.8, series.Dashed ? "6,3" : null);
            segment = [];
        }
        for (var i = 0; i < series.X.Count; i++)
        {
            if (!Drawable(series.X[i], series.Y[i]))
            {
                Flush();
                continue;
            }
            var p = (toX(series.X[i]), toY(series.Y[i]));
            segment.Add(p);
            points.Add((p.Item1, p.Item2, series.Y[i]));
        }
        Flush();
        if (points.Count <= MarkerLimit)
            foreach (var (x, y, value) in points)
                svg.Circle(x, y, series.MarkerRadius, color, $"{series.Name}: {NiceTicks.FormatCompact(value)}");
    }
}

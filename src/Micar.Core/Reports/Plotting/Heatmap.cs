namespace Micar.Reports.Plotting;

/// <summary>
/// A heatmap of a rows × columns matrix: cells coloured through <see cref="Colormap"/> between
/// <see cref="Min"/> and <see cref="Max"/>, row labels on the left, column labels below (rotated 45°), optional
/// text in the cells, and a colour bar with nice ticks on the right. NaN cells are drawn in the colormap's
/// missing colour.
/// </summary>
public sealed record Heatmap
{
    /// <summary>Largest cell count drawn as rects under <see cref="HeatmapCells.Auto"/>.</summary>
    public const int RectLimit = 2500;

    private const double LabelFont = 10;

    /// <summary>The matrix, <c>Values[row][column]</c>, all rows of one length.</summary>
    public required float[][] Values { get; init; }

    /// <summary>One label per row (e.g. query tokens), or none.</summary>
    public IReadOnlyList<string>? RowLabels { get; init; }

    /// <summary>One label per column (e.g. key tokens, experts), or none.</summary>
    public IReadOnlyList<string>? ColumnLabels { get; init; }

    /// <summary>Title above the map.</summary>
    public string? Title { get; init; }

    /// <summary>Label under the column labels.</summary>
    public string? XLabel { get; init; }

    /// <summary>Label left of the row labels (rotated).</summary>
    public string? YLabel { get; init; }

    /// <summary>Value mapped to the first colour; the smallest finite value when null.</summary>
    public double? Min { get; init; }

    /// <summary>Value mapped to the last colour; the largest finite value when null.</summary>
    public double? Max { get; init; }

    /// <summary>Cell width in pixels.</summary>
    public double CellWidth { get; init; } = 16;

    /// <summary>Cell height in pixels.</summary>
    public double CellHeight { get; init; } = 16;

    /// <summary>Text drawn in each cell (null entries or a null array: none), <c>CellText[row][column]</c>.</summary>
    public string?[][]? CellText { get; init; }

    /// <summary>Format of the value shown in each cell when <see cref="CellText"/> is null (e.g. "0.00"); null shows nothing.</summary>
    public string? ValueFormat { get; init; }

    /// <summary>The colours.</summary>
    public Colormap Colormap { get; init; } = Colormap.Viridis;

    /// <summary>Rects or an embedded image.</summary>
    public HeatmapCells Cells { get; init; } = HeatmapCells.Auto;

    /// <summary>Draw the colour bar.</summary>
    public bool ColorBar { get; init; } = true;

    /// <summary>When &gt; 0, a thin white line separates every this many columns (e.g. the rows of an image grid laid out flat).</summary>
    public int ColumnGroup { get; init; }

    /// <summary>Label beside the colour bar (rotated).</summary>
    public string? ColorBarLabel { get; init; }

    /// <summary>The colour range actually used: <see cref="Min"/>/<see cref="Max"/> or the finite data range (0..1 when there is none).</summary>
    public (double Min, double Max) Range()
    {
        var min = double.PositiveInfinity;
        var max = double.NegativeInfinity;
        foreach (var row in Values)
            foreach (var v in row)
                if (float.IsFinite(v))
                {
                    min = Math.Min(min, v);
                    max = Math.Max(max, v);
                }
        if (min > max)
            (min, max) = (0, 1);
        return (Min ?? min, Max ?? max);
    }

    /// <summary>The fill colour of a cell holding <paramref name="value"/>.</summary>
    public Rgb CellColor(double value)
    {
        var (min, max) = Range();
        return Colormap.Map(value, min, max);
    }

    /// <summary>Draws the heatmap.</summary>
    /// <exception cref="ArgumentException">The matrix is empty or ragged, or labels/text do not match its shape.</exception>
    public SvgFigure Render()
    {
        var rows = Values.Length;
        var cols = rows == 0 ? 0 : Values[0].Length;
        Check(rows, cols);
        var (min, max) = Range();

        var rowLabels = RowLabels?.Select(l => TextMeasure.Truncate(l, 28)).ToArray();
        var colLabels = ColumnLabels?.Select(l => TextMeasure.Truncate(l, 28)).ToArray();
        var rowLabelWidth = rowLabels?.Max(l => TextMeasure.Width(l, LabelFont)) ?? 0;
        var diagonal = Math.Sqrt(0.5);
        var colExtents = colLabels?.Select(l => TextMeasure.Width(l, LabelFont) * diagonal).ToArray() ?? [];
        var colDrop = colExtents.DefaultIfEmpty(0).Max() + (colLabels is null ? 0 : LabelFont + 4);

        var left = 8 + (YLabel is null ? 0 : ChartFrame.LabelFont + 8) + (rowLabels is null ? 0 : rowLabelWidth + 6);
        for (var j = 0; j < colExtents.Length; j++)   // rotated column labels reach down-left of their cells
            left = Math.Max(left, 8 + colExtents[j] + 4 - (j + 0.5) * CellWidth);
        var top = Title is null ? 10 : ChartFrame.TitleFont + 18;
        var gridWidth = cols * CellWidth;
        var gridHeight = rows * CellHeight;
        var barHeight = Math.Max(gridHeight, 100);
        var barTicks = NiceTicks.Within(min, max, 5);
        var barWidth = ColorBar
            ? 14 + 12 + 6 + barTicks.Labels.Max(l => TextMeasure.Width(l, LabelFont)) + (ColorBarLabel is null ? 0 : ChartFrame.LabelFont + 10)
            : 0;
        var width = Math.Max(left + gridWidth + barWidth + 10, Title is null ? 0 : TextMeasure.BoldWidth(Title, ChartFrame.TitleFont) + 20);
        var height = top + Math.Max(gridHeight + colDrop + (XLabel is null ? 0 : ChartFrame.LabelFont + 10), ColorBar ? barHeight + 8 : 0) + 10;

        var svg = new SvgBuilder();
        if (Title is not null)
            svg.Text(width / 2, 8 + ChartFrame.TitleFont, Title, TextAnchor.Middle, ChartFrame.TitleFont, bold: true);
        if (YLabel is not null)
            svg.Text(8 + ChartFrame.LabelFont, top + gridHeight / 2, YLabel, TextAnchor.Middle, ChartFrame.LabelFont, rotate: -90);
        if (XLabel is not null)
            svg.Text(left + gridWidth / 2, top + gridHeight + colDrop + ChartFrame.LabelFont + 4, XLabel, TextAnchor.Middle, ChartFrame.LabelFont);

        DrawCells(svg, left, top, rows, cols, min, max, rowLabels, colLabels);

        if (rowLabels is not null)
            for (var i = 0; i < rows; i++)
                svg.Text(left - 5, top + (i + 0.5) * CellHeight, rowLabels[i], TextAnchor.End, LabelFont, middle: true, tooltip: RowLabels![i]);
        if (colLabels is not null)
            for (var j = 0; j < cols; j++)
                svg.Text(left + (j + 0.5) * CellWidth + 3, top + gridHeight + 8, colLabels[j], TextAnchor.End, LabelFont, rotate: -45,
                    tooltip: ColumnLabels![j]);
        if (ColorBar)
            DrawColorBar(svg, left + gridWidth + 14, top, barHeight, min, max, barTicks);
        return svg.ToFigure(width, height);
    }

    private void DrawCells(SvgBuilder svg, double left, double top, int rows, int cols, double min, double max,
        string[]? rowLabels, string[]? colLabels)
    {
        var asImage = Cells == HeatmapCells.Image || (Cells == HeatmapCells.Auto && (long)rows * cols > RectLimit);
        if (asImage)
        {
            var raster = new RgbRaster(cols, rows);
            for (var i = 0; i < rows; i++)
                for (var j = 0; j < cols; j++)
                    raster[j, i] = Colormap.Map(Values[i][j], min, max);
            svg.Image(left, top, cols * CellWidth, rows * CellHeight, raster.ToPng(), pixelated: true);
        }
        else
        {
            svg.OpenGroup("shape-rendering=\"crispEdges\"");
            for (var i = 0; i < rows; i++)
                for (var j = 0; j < cols; j++)
                {
                    var v = Values[i][j];
                    var where = (rowLabels, colLabels) switch
                    {
                        (not null, not null) => $"{rowLabels[i]} → {colLabels[j]}",
                        (not null, null) => $"{rowLabels[i]}, column {j}",
                        (null, not null) => $"row {i}, {colLabels[j]}",
                        _ => $"({i}, {j})",
                    };
                    var shown = float.IsNaN(v) ? "none" : v.ToString("G4", System.Globalization.CultureInfo.InvariantCulture);
                    svg.Rect(left + j * CellWidth, top + i * CellHeight, CellWidth, CellHeight,
                        Colormap.Map(v, min, max).ToHex(), tooltip: $"{where}: {shown}");
                }
            svg.CloseGroup();
        }

        if (ColumnGroup > 0)
            for (var j = ColumnGroup; j < cols; j += ColumnGroup)
                svg.Line(left + j * CellWidth, top, left + j * CellWidth, top + rows * CellHeight, "#ffffff", 1.5);

        var fontSize = Math.Min(10, CellHeight * 0.55);
        for (var i = 0; i < rows; i++)
            for (var j = 0; j < cols; j++)
            {
                var text = CellText is not null ? CellText[i][j]
                    : ValueFormat is not null && !float.IsNaN(Values[i][j])
                        ? Values[i][j].ToString(ValueFormat, System.Globalization.CultureInfo.InvariantCulture) : null;
                if (string.IsNullOrEmpty(text))
                    continue;
                var ink = Colormap.Map(Values[i][j], min, max).Luminance < 0.5 ? "#ffffff" : "#111111";
                svg.Text(left + (j + 0.5) * CellWidth, top + (i + 0.5) * CellHeight, text, TextAnchor.Middle, fontSize, fill: ink, middle: true);
            }
    }

    private void DrawColorBar(SvgBuilder svg, double x, double top, double height, double min, double max, TickSet ticks)
    {
        const double barWidth = 12;
        ColorRamp.Draw(svg, Colormap, x, top, barWidth, height, vertical: true);
        var labelRight = x + barWidth + 6;
        for (var i = 0; i < ticks.Values.Count; i++)
        {
            var t = max > min ? (ticks.Values[i] - min) / (max - min) : 0.5;
            var y = top + height - t * height;
            svg.Line(x + barWidth, y, x + barWidth + 3, y, ChartFrame.AxisColor);
            svg.Text(x + barWidth + 5, y, ticks.Labels[i], TextAnchor.Start, LabelFont, middle: true);
            labelRight = Math.Max(labelRight, x + barWidth + 5 + TextMeasure.Width(ticks.Labels[i], LabelFont));
        }
        if (ColorBarLabel is not null)
            svg.Text(labelRight + 6 + ChartFrame.LabelFont / 2, top + height / 2, ColorBarLabel, TextAnchor.Middle, ChartFrame.LabelFont, rotate: 90);
    }

    private void Check(int rows, int cols)
    {
        if (rows == 0 || cols == 0)
            throw new ArgumentException($"Heatmap '{Title}' has no cells ({rows} rows, {cols} columns).");
        for (var i = 0; i < rows; i++)
            if (Values[i] is null || Values[i].Length != cols)
                throw new ArgumentException($"Heatmap '{Title}' row {i} has {Values[i]?.Length ?? 0} values, row 0 has {cols}.");
        if (RowLabels is not null && RowLabels.Count != rows)
            throw new ArgumentException($"Heatmap '{Title}' has {rows} rows but {RowLabels.Count} row labels.");
        if (ColumnLabels is not null && ColumnLabels.Count != cols)
            throw new ArgumentException($"Heatmap '{Title}' has {cols} columns but {ColumnLabels.Count} column labels.");
        if (CellText is not null && (CellText.Length != rows || CellText.Any(r => r is null || r.Length != cols)))
            throw new ArgumentException($"Heatmap '{Title}' cell text is not {rows}x{cols} like its values.");
        if (Min is { } lo && Max is { } hi && !(lo <= hi))
            throw new ArgumentException($"Heatmap '{Title}' colour range [{lo}, {hi}] is empty.");
        if (CellWidth <= 0 || CellHeight <= 0)
            throw new ArgumentException($"Heatmap '{Title}' cells must have a positive size, got {CellWidth}x{CellHeight}.");
    }
}

namespace Micar.Reports.Plotting;

/// <summary>Several figures laid out in a grid, under an optional title, as one figure.</summary>
public static class FigureGrid
{
    /// <summary>
    /// Places <paramref name="panels"/> row by row, <paramref name="columns"/> per row, each in a cell as wide as
    /// the widest panel of its column and as tall as the tallest of its row, separated by <paramref name="gap"/>.
    /// </summary>
    /// <exception cref="ArgumentException">No panels, or fewer than one column.</exception>
    public static SvgFigure Compose(IReadOnlyList<SvgFigure> panels, int columns, string? title = null, double gap = 12)
    {
        ArgumentNullException.ThrowIfNull(panels);
        if (panels.Count == 0)
            throw new ArgumentException($"A figure grid ('{title}') needs at least one panel.", nameof(panels));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        columns = Math.Min(columns, panels.Count);
        var rows = (panels.Count + columns - 1) / columns;
        var colWidths = new double[columns];
        var rowHeights = new double[rows];
        for (var i = 0; i < panels.Count; i++)
        {
            colWidths[i % columns] = Math.Max(colWidths[i % columns], panels[i].Width);
            rowHeights[i / columns] = Math.Max(rowHeights[i / columns], panels[i].Height);
        }
        var top = title is null ? 0 : ChartFrame.TitleFont + 22;
        var width = colWidths.Sum() + gap * (columns - 1);
        if (title is not null)
            width = Math.Max(width, TextMeasure.BoldWidth(title, ChartFrame.TitleFont + 1) + 20);
        var height = top + rowHeights.Sum() + gap * (rows - 1);

        var svg = new SvgBuilder();
        if (title is not null)
            svg.Text(width / 2, 10 + ChartFrame.TitleFont, title, TextAnchor.Middle, ChartFrame.TitleFont + 1, bold: true);
        for (var i = 0; i < panels.Count; i++)
        {
            var c = i % columns;
            var r = i / columns;
            var x = colWidths.Take(c).Sum() + gap * c;
            var y = top + rowHeights.Take(r).Sum() + gap * r;
            svg.Nest(x, y, panels[i]);
        }
        return svg.ToFigure(width, height);
    }
}

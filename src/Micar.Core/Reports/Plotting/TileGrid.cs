namespace Micar.Reports.Plotting;

/// <summary>
/// Raster tiles in a grid, each embedded as a PNG data URI with an SVG text caption under it, and optionally a
/// horizontal colour bar explaining the colours of the tiles. Text stays vector (any script, crisp, searchable);
/// only the pixels are raster.
/// </summary>
public sealed record TileGrid
{
    private const double Gap = 10;
    private const double CaptionFont = 11;

    /// <summary>The tiles, row by row.</summary>
    public required IReadOnlyList<LabelledTile> Tiles { get; init; }

    /// <summary>Tiles per row.</summary>
    public int Columns { get; init; } = 6;

    /// <summary>Title above the grid.</summary>
    public string? Title { get; init; }

    /// <summary>When set, a colour bar of <see cref="Colormap"/> from "low" to "high" is drawn under the grid with this caption.</summary>
    public string? ColorBarCaption { get; init; }

    /// <summary>Colormap of the colour bar.</summary>
    public Colormap Colormap { get; init; } = Colormap.Viridis;

    /// <summary>Draws the grid; every cell is as large as the largest tile.</summary>
    /// <exception cref="ArgumentException">No tiles, or fewer than one column.</exception>
    public SvgFigure Render()
    {
        if (Tiles.Count == 0)
            throw new ArgumentException($"Tile grid '{Title}' has no tiles.");
        if (Columns < 1)
            throw new ArgumentException($"Tile grid '{Title}' needs at least one column, got {Columns}.");
        var columns = Math.Min(Columns, Tiles.Count);
        var rows = (Tiles.Count + columns - 1) / columns;
        var cellWidth = Tiles.Max(t => t.Image.Width);
        var cellHeight = Tiles.Max(t => t.Image.Height);
        var captionHeight = CaptionFont + 8;
        var top = Title is null ? Gap : ChartFrame.TitleFont + 22;
        var width = Gap + columns * (cellWidth + Gap);
        if (Title is not null)
            width = Math.Max(width, TextMeasure.BoldWidth(Title, ChartFrame.TitleFont) + 2 * Gap);
        var gridBottom = top + rows * (cellHeight + captionHeight + Gap);
        var height = gridBottom + (ColorBarCaption is null ? 0 : 44);

        var svg = new SvgBuilder();
        if (Title is not null)
            svg.Text(width / 2, 10 + ChartFrame.TitleFont, Title, TextAnchor.Middle, ChartFrame.TitleFont, bold: true);
        var maxChars = Math.Max(4, (int)(cellWidth / (0.62 * CaptionFont)));
        for (var i = 0; i < Tiles.Count; i++)
        {
            var tile = Tiles[i];
            var x = Gap + (i % columns) * (cellWidth + Gap);
            var y = top + (i / columns) * (cellHeight + captionHeight + Gap);
            var dx = (cellWidth - tile.Image.Width) / 2.0;
            var dy = (cellHeight - tile.Image.Height) / 2.0;
            svg.Image(x + dx, y + dy, tile.Image.Width, tile.Image.Height, tile.Image.ToPng(), pixelated: false, tooltip: tile.Label);
            svg.Text(x + cellWidth / 2.0, y + cellHeight + CaptionFont + 3, TextMeasure.Truncate(tile.Label, maxChars),
                TextAnchor.Middle, CaptionFont, tooltip: tile.Label);
        }
        if (ColorBarCaption is not null)
            DrawColorBar(svg, Gap, gridBottom + 4, Math.Min(240, width - 2 * Gap));
        return svg.ToFigure(width, height);
    }

    private void DrawColorBar(SvgBuilder svg, double x, double y, double length)
    {
        const double thickness = 10;
        svg.Text(x, y + thickness / 2, "low", TextAnchor.Start, 10, middle: true);
        var barLeft = x + 26;
        ColorRamp.Draw(svg, Colormap, barLeft, y, length, thickness, vertical: false);
        svg.Text(barLeft + length + 6, y + thickness / 2, "high", TextAnchor.Start, 10, middle: true);
        svg.Text(x, y + thickness + 18, ColorBarCaption!, TextAnchor.Start, 10, fill: "#555555");
    }
}

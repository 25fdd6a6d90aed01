namespace Micar.Reports.Plotting;

/// <summary>How a <see cref="Heatmap"/> draws its cells.</summary>
public enum HeatmapCells
{
    /// <summary><see cref="Rects"/> up to <see cref="Heatmap.RectLimit"/> cells, <see cref="Image"/> above.</summary>
    Auto,

    /// <summary>One <c>&lt;rect&gt;</c> per cell with its value as a hover tooltip (exact, inspectable, larger files).</summary>
    Rects,

    /// <summary>One embedded PNG with a pixel per cell, scaled up without smoothing (compact for large maps).</summary>
    Image,
}

namespace Micar.Reports;

/// <summary>What <see cref="ExplainRenderer"/> draws beyond the default figures, and how the overlays look.</summary>
public sealed record ExplainOptions
{
    /// <summary>The defaults.</summary>
    public static ExplainOptions Default { get; } = new();

    /// <summary>Also write <c>cross_attention_head{h}.svg</c>, one per head.</summary>
    public bool PerHead { get; init; }

    /// <summary>Also write <c>overlays_layer{l}.svg</c>, the overlays of each decoder layer (mean of its heads).</summary>
    public bool PerLayerOverlays { get; init; }

    /// <summary>Longer side of an overlay tile in pixels.</summary>
    public int OverlayTileSize { get; init; } = 160;

    /// <summary>Overlay tiles per row.</summary>
    public int OverlayColumns { get; init; } = 7;

    /// <summary>Opacity of the attention colours over the image, in [0, 1].</summary>
    public double OverlayAlpha { get; init; } = 0.5;

    /// <summary>Heatmap cell size in pixels for token × token and token × expert maps.</summary>
    public int CellSize { get; init; } = 18;

    internal void Validate()
    {
        if (OverlayTileSize is < 16 or > 2048)
            throw new ArgumentOutOfRangeException(nameof(OverlayTileSize), OverlayTileSize, "overlay tiles must be 16 to 2048 pixels");
        if (OverlayColumns < 1)
            throw new ArgumentOutOfRangeException(nameof(OverlayColumns), OverlayColumns, "at least one overlay column is needed");
        if (!(OverlayAlpha >= 0 && OverlayAlpha <= 1))
            throw new ArgumentOutOfRangeException(nameof(OverlayAlpha), OverlayAlpha, "overlay opacity must be in [0, 1]");
        if (CellSize is < 4 or > 200)
            throw new ArgumentOutOfRangeException(nameof(CellSize), CellSize, "heatmap cells must be 4 to 200 pixels");
    }
}

namespace Micar.Reports.Plotting;

/// <summary>A raster image with the caption written under it in a <see cref="TileGrid"/>.</summary>
/// <param name="Image">The pixels.</param>
/// <param name="Label">Caption (shortened to the tile width; the full text is the tooltip).</param>
public sealed record LabelledTile(RgbRaster Image, string Label);

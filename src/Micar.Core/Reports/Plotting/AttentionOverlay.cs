namespace Micar.Reports.Plotting;

/// <summary>A coarse attention map drawn over an image: upsampled bilinearly, normalised, coloured and alpha-blended.</summary>
public static class AttentionOverlay
{
    /// <summary>
    /// Returns a copy of <paramref name="image"/> with <paramref name="map"/> (<paramref name="rows"/> ×
    /// <paramref name="cols"/>, raster order) overlaid: the map is upsampled to the image size with
    /// <see cref="MapUpsampler.Bilinear"/>, scaled so that its own minimum and maximum span the colormap (a flat
    /// map takes the middle colour), and each pixel becomes <c>(1 − alpha)·image + alpha·colour</c>, rounded.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alpha"/> is outside [0, 1].</exception>
    public static RgbRaster Blend(RgbRaster image, ReadOnlySpan<float> map, int rows, int cols, double alpha, Colormap colormap)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(colormap);
        if (!(alpha >= 0 && alpha <= 1))
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "overlay opacity must be in [0, 1]");
        var up = MapUpsampler.Bilinear(map, rows, cols, image.Width, image.Height);
        var min = float.PositiveInfinity;
        var max = float.NegativeInfinity;
        foreach (var v in up)
            if (float.IsFinite(v))
            {
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }
        var result = new RgbRaster(image.Width, image.Height);
        for (var y = 0; y < image.Height; y++)
            for (var x = 0; x < image.Width; x++)
            {
                var colour = colormap.Map(up[y * image.Width + x], min, max);
                result[x, y] = image[x, y].Blend(colour, alpha);
            }
        return result;
    }
}

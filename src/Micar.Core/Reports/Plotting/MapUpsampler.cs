namespace Micar.Reports.Plotting;

/// <summary>Bilinear upsampling of a coarse map (e.g. a 7×7 attention grid) to an image size.</summary>
public static class MapUpsampler
{
    /// <summary>
    /// Resizes <paramref name="map"/> (<paramref name="rows"/> × <paramref name="cols"/>, raster order) to
    /// <paramref name="width"/> × <paramref name="height"/>. Output pixel (x, y) samples the map at
    /// <c>((x + 0.5)·cols/width − 0.5, (y + 0.5)·rows/height − 0.5)</c> (pixel centres aligned, PyTorch's
    /// <c>align_corners=False</c>), clamped to the outer cell centres, interpolated linearly along each axis.
    /// </summary>
    /// <exception cref="ArgumentException">The map length is not rows × cols, or a size is not positive.</exception>
    public static float[] Bilinear(ReadOnlySpan<float> map, int rows, int cols, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cols);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (map.Length != rows * cols)
            throw new ArgumentException($"A {rows}x{cols} map needs {rows * cols} values, got {map.Length}.", nameof(map));
        var (x0, x1, wx) = Taps(cols, width);
        var (y0, y1, wy) = Taps(rows, height);
        var output = new float[width * height];
        for (var y = 0; y < height; y++)
        {
            var top = map.Slice(y0[y] * cols, cols);
            var bottom = map.Slice(y1[y] * cols, cols);
            for (var x = 0; x < width; x++)
            {
                var upper = top[x0[x]] + (top[x1[x]] - top[x0[x]]) * wx[x];
                var lower = bottom[x0[x]] + (bottom[x1[x]] - bottom[x0[x]]) * wx[x];
                output[y * width + x] = upper + (lower - upper) * wy[y];
            }
        }
        return output;
    }

    /// <summary>For each output index: the two input indices and the weight of the second.</summary>
    private static (int[] First, int[] Second, float[] Weight) Taps(int inputSize, int outputSize)
    {
        var first = new int[outputSize];
        var second = new int[outputSize];
        var weight = new float[outputSize];
        var scale = (double)inputSize / outputSize;
        for (var i = 0; i < outputSize; i++)
        {
            var source = Math.Clamp((i + 0.5) * scale - 0.5, 0, inputSize - 1);
            var lo = (int)Math.Floor(source);
            first[i] = lo;
            second[i] = Math.Min(lo + 1, inputSize - 1);
            weight[i] = (float)(source - lo);
        }
        return (first, second, weight);
    }
}

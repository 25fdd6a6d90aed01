namespace Micar.Data.Synthetic;

/// <summary>
/// Turns a rendered CT slice into a radiograph-like image, deterministically (no random draws, so the CT path and its
/// outputs are untouched): each pixel becomes the mean of its column over a vertical window of a quarter of the image
/// (the smear of a projection through the chest), a bright band is laid over the middle (the spine and mediastinum), and
/// the borders fade (the soft tissue of a frontal film). Findings stay where they were, blurred along the vertical.
/// </summary>
public static class RadiographProjection
{
    /// <summary>The projection of <paramref name="ct"/> (row-major 8-bit grey, <paramref name="size"/>²).</summary>
    public static byte[] Project(byte[] ct, int size)
    {
        ArgumentNullException.ThrowIfNull(ct);
        if (ct.Length != size * size) throw new ArgumentException($"{ct.Length} pixels are not {size}×{size}", nameof(ct));
        var half = Math.Max(1, size / 8);
        var output = new byte[ct.Length];
        var column = new int[size + 1];                                      // prefix sums of one column
        var spine = Math.Max(1, size / 14);
        var centre = size / 2.0;
        for (int x = 0; x < size; x++)
        {
            for (int y = 0; y < size; y++) column[y + 1] = column[y] + ct[y * size + x];
            var band = Math.Abs(x + 0.5 - centre) < spine ? 70.0 : 0.0;
            for (int y = 0; y < size; y++)
            {
                int lo = Math.Max(0, y - half), hi = Math.Min(size, y + half + 1);
                var smear = (column[hi] - column[lo]) / (double)(hi - lo);
                var dx = (x + 0.5 - centre) / centre;
                var dy = (y + 0.5 - centre) / centre;
                var fade = 1.0 - 0.35 * Math.Min(1.0, dx * dx + dy * dy);
                var v = (0.75 * smear + 0.25 * ct[y * size + x] + band) * fade;
                output[y * size + x] = (byte)Math.Clamp((int)Math.Round(v), 0, 255);
            }
        }
        return output;
    }
}

namespace Micar.Data.Images;

/// <summary>
/// Per-channel normalisation of RGB samples: <c>(v / 255 − mean) / std</c>, computed in single precision
/// exactly as torchvision's <c>ToTensor</c>/<c>convert_image_dtype</c> followed by <c>Normalize</c> does.
/// </summary>
public sealed record ChannelNormalization
{
    /// <summary>Creates a normalisation; standard deviations must be positive and finite.</summary>
    public ChannelNormalization(float meanR, float meanG, float meanB, float stdR, float stdG, float stdB)
    {
        foreach (var (value, label) in new[] { (meanR, "meanR"), (meanG, "meanG"), (meanB, "meanB") })
        {
            if (!float.IsFinite(value))
                throw new ArgumentOutOfRangeException(label, value, "mean must be finite");
        }
        foreach (var (value, label) in new[] { (stdR, "stdR"), (stdG, "stdG"), (stdB, "stdB") })
        {
            if (!(value > 0) || !float.IsFinite(value))
                throw new ArgumentOutOfRangeException(label, value, "standard deviation must be positive and finite");
        }
        (MeanR, MeanG, MeanB, StdR, StdG, StdB) = (meanR, meanG, meanB, stdR, stdG, stdB);
    }

    /// <summary>ImageNet statistics, mean (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225): the official setting.</summary>
    public static ChannelNormalization ImageNet { get; } = new(0.485f, 0.456f, 0.406f, 0.229f, 0.224f, 0.225f);

    /// <summary>Only the division by 255: values in [0, 1].</summary>
    public static ChannelNormalization UnitRange { get; } = new(0f, 0f, 0f, 1f, 1f, 1f);

    /// <summary>Mean of the red channel, in [0, 1] units.</summary>
    public float MeanR { get; }

    /// <summary>Mean of the green channel, in [0, 1] units.</summary>
    public float MeanG { get; }

    /// <summary>Mean of the blue channel, in [0, 1] units.</summary>
    public float MeanB { get; }

    /// <summary>Standard deviation of the red channel, in [0, 1] units.</summary>
    public float StdR { get; }

    /// <summary>Standard deviation of the green channel, in [0, 1] units.</summary>
    public float StdG { get; }

    /// <summary>Standard deviation of the blue channel, in [0, 1] units.</summary>
    public float StdB { get; }

    /// <summary>The normalised value of a sample in [0, 1] units for channel 0 (R), 1 (G) or 2 (B).</summary>
    public float Normalize(int channel, float unit) => channel switch
    {
        0 => (unit - MeanR) / StdR,
        1 => (unit - MeanG) / StdG,
        2 => (unit - MeanB) / StdB,
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, "RGB channel index must be 0, 1 or 2"),
    };

    /// <summary>
    /// Writes interleaved 8-bit RGB samples (<paramref name="width"/> × <paramref name="height"/>) to
    /// <paramref name="destination"/> as normalised planes, channel-major (CHW).
    /// </summary>
    public void WriteChw(ReadOnlySpan<byte> rgb, int width, int height, Span<float> destination)
    {
        var plane = width * height;
        if (rgb.Length < plane * 3)
            throw new ArgumentException($"Need {plane * 3} RGB bytes, got {rgb.Length}.", nameof(rgb));
        if (destination.Length < plane * 3)
            throw new ArgumentException($"Destination holds {destination.Length} floats, {plane * 3} needed.", nameof(destination));
        Span<float> table = stackalloc float[3 * 256];
        for (var c = 0; c < 3; c++)
        {
            for (var v = 0; v < 256; v++)
                table[c * 256 + v] = Normalize(c, v / 255f);
        }
        var r = destination[..plane];
        var g = destination.Slice(plane, plane);
        var b = destination.Slice(2 * plane, plane);
        var tr = table[..256];
        var tg = table.Slice(256, 256);
        var tb = table.Slice(512, 256);
        for (var i = 0; i < plane; i++)
        {
            r[i] = tr[rgb[3 * i]];
            g[i] = tg[rgb[3 * i + 1]];
            b[i] = tb[rgb[3 * i + 2]];
        }
    }
}

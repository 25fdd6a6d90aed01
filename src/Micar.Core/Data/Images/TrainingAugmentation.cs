namespace Micar.Data.Images;

/// <summary>
/// Optional training-time augmentation producing the same CHW layout as the evaluation transforms:
/// a random resized crop (torchvision's <c>RandomResizedCrop</c> sampling, Pillow bilinear resize to
/// <see cref="Size"/> × <see cref="Size"/>), a small random rotation, and random brightness then contrast.
/// Every random number comes from the <see cref="Random"/> passed in, drawn in a fixed order, so a seeded
/// generator reproduces the same outputs.
/// </summary>
public sealed record TrainingAugmentation
{
    private const int CropAttempts = 10;

    /// <summary>Creates the augmentation (default options, ImageNet statistics unless given).</summary>
    public TrainingAugmentation(int size, AugmentationOptions? options = null, ChannelNormalization? normalization = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        options ??= new AugmentationOptions();
        options.Validate();
        Size = size;
        Options = options;
        Normalization = normalization ?? ChannelNormalization.ImageNet;
    }

    /// <summary>Side of the square output.</summary>
    public int Size { get; }

    /// <summary>Perturbation ranges.</summary>
    public AugmentationOptions Options { get; }

    /// <summary>Per-channel normalisation.</summary>
    public ChannelNormalization Normalization { get; }

    /// <summary>Number of floats produced: <c>3 × Size × Size</c>.</summary>
    public int OutputLength => 3 * Size * Size;

    /// <summary>Augments <paramref name="image"/> into a new CHW array.</summary>
    public float[] Apply(Image image, Random random)
    {
        var output = new float[OutputLength];
        Apply(image, random, output);
        return output;
    }

    /// <summary>Augments <paramref name="image"/> into <paramref name="destination"/>.</summary>
    public void Apply(Image image, Random random, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(random);
        if (destination.Length < OutputLength)
            throw new ArgumentException($"Destination holds {destination.Length} floats, {OutputLength} needed.", nameof(destination));
        var rgb = image.ToRgb();
        var (left, top, width, height) = SampleCrop(rgb.Width, rgb.Height, random);
        var pixels = PillowResize.Bilinear(Crop(rgb, left, top, width, height), Size, Size).Pixels;
        if (Options.MaxRotationDegrees > 0)
            pixels = Rotate(pixels, Size, (random.NextDouble() * 2 - 1) * Options.MaxRotationDegrees);
        var brightness = 1 + (random.NextDouble() * 2 - 1) * Options.Brightness;
        var contrast = 1 + (random.NextDouble() * 2 - 1) * Options.Contrast;
        WriteAdjusted(pixels, (float)brightness, (float)contrast, destination);
    }

    /// <summary>torchvision's <c>RandomResizedCrop.get_params</c>: area and log-aspect sampling, then a central fallback.</summary>
    private (int Left, int Top, int Width, int Height) SampleCrop(int width, int height, Random random)
    {
        var area = (double)width * height;
        var (logMin, logMax) = (Math.Log(Options.MinAspectRatio), Math.Log(Options.MaxAspectRatio));
        for (var attempt = 0; attempt < CropAttempts; attempt++)
        {
            var target = area * (Options.MinCropArea + random.NextDouble() * (Options.MaxCropArea - Options.MinCropArea));
            var aspect = Math.Exp(logMin + random.NextDouble() * (logMax - logMin));
            var w = (int)Math.Round(Math.Sqrt(target * aspect));
            var h = (int)Math.Round(Math.Sqrt(target / aspect));
            if (w > 0 && h > 0 && w <= width && h <= height)
                return (random.Next(width - w + 1), random.Next(height - h + 1), w, h);
        }
        var ratio = (double)width / height;
        var (cw, ch) = ratio < Options.MinAspectRatio ? (width, (int)Math.Round(width / Options.MinAspectRatio))
            : ratio > Options.MaxAspectRatio ? ((int)Math.Round(height * Options.MaxAspectRatio), height)
            : (width, height);
        cw = Math.Clamp(cw, 1, width);
        ch = Math.Clamp(ch, 1, height);
        return ((width - cw) / 2, (height - ch) / 2, cw, ch);
    }

    private static Image Crop(Image rgb, int left, int top, int width, int height)
    {
        if (left == 0 && top == 0 && width == rgb.Width && height == rgb.Height)
            return rgb;
        var pixels = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
            rgb.Row(top + y).Slice(left * 3, width * 3).CopyTo(pixels.AsSpan(y * width * 3));
        return new Image(width, height, ColorMode.Rgb, pixels);
    }

    /// <summary>Rotates a square RGB image about its centre by <paramref name="degrees"/> (counter-clockwise), bilinear, black outside.</summary>
    private static byte[] Rotate(byte[] pixels, int size, double degrees)
    {
        var output = new byte[pixels.Length];
        var (sin, cos) = Math.SinCos(degrees * Math.PI / 180);
        var c = size / 2.0;
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                double dx = x + 0.5 - c, dy = y + 0.5 - c;
                var sx = cos * dx - sin * dy + c - 0.5;
                var sy = sin * dx + cos * dy + c - 0.5;
                if (sx < 0 || sy < 0 || sx > size - 1 || sy > size - 1)
                    continue;
                int x0 = (int)sx, y0 = (int)sy;
                int x1 = Math.Min(x0 + 1, size - 1), y1 = Math.Min(y0 + 1, size - 1);
                double fx = sx - x0, fy = sy - y0;
                for (var ch = 0; ch < 3; ch++)
                {
                    var top = pixels[(y0 * size + x0) * 3 + ch] * (1 - fx) + pixels[(y0 * size + x1) * 3 + ch] * fx;
                    var bottom = pixels[(y1 * size + x0) * 3 + ch] * (1 - fx) + pixels[(y1 * size + x1) * 3 + ch] * fx;
                    output[(y * size + x) * 3 + ch] = (byte)Math.Round(top * (1 - fy) + bottom * fy);
                }
            }
        }
        return output;
    }

    /// <summary>
    /// Brightness (scale), then contrast (blend with the mean luma), clamped to [0, 1], then normalisation.
    /// A factor of exactly 1 leaves the values untouched, so no perturbation reproduces the evaluation path bit for bit.
    /// </summary>
    private void WriteAdjusted(byte[] pixels, float brightness, float contrast, Span<float> destination)
    {
        var plane = Size * Size;
        var mean = 0f;
        if (contrast != 1f)
        {
            var lumaSum = 0.0;
            for (var i = 0; i < plane; i++)
            {
                lumaSum += 0.299 * Brighten(pixels[3 * i], brightness)
                         + 0.587 * Brighten(pixels[3 * i + 1], brightness)
                         + 0.114 * Brighten(pixels[3 * i + 2], brightness);
            }
            mean = (float)(lumaSum / plane);
        }
        for (var c = 0; c < 3; c++)
        {
            var outPlane = destination.Slice(c * plane, plane);
            for (var i = 0; i < plane; i++)
            {
                var v = Brighten(pixels[3 * i + c], brightness);
                if (contrast != 1f)
                    v = Math.Clamp((v - mean) * contrast + mean, 0f, 1f);
                outPlane[i] = Normalization.Normalize(c, v);
            }
        }
    }

    private static float Brighten(byte sample, float brightness) =>
        brightness == 1f ? sample / 255f : Math.Min(sample / 255f * brightness, 1f);
}

namespace Micar.Data.Images;

/// <summary>
/// A decoded raster image: <see cref="Height"/> rows of <see cref="Width"/> pixels, each pixel
/// <see cref="Channels"/> consecutive 8-bit samples laid out as <see cref="Mode"/> says, rows top to bottom
/// with no padding. The pixel array is owned by the image; treat it as read-only once constructed.
/// </summary>
public sealed class Image
{
    /// <summary>Wraps <paramref name="pixels"/> (not copied).</summary>
    /// <exception cref="ArgumentException">The size is not positive or the array length does not match.</exception>
    public Image(int width, int height, ColorMode mode, byte[] pixels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentNullException.ThrowIfNull(pixels);
        var expected = (long)width * height * mode.Channels();
        if (pixels.LongLength != expected)
            throw new ArgumentException(
                $"A {width}x{height} {mode} image needs {expected} bytes of pixels, got {pixels.LongLength}.", nameof(pixels));
        Width = width;
        Height = height;
        Mode = mode;
        Pixels = pixels;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Sample layout.</summary>
    public ColorMode Mode { get; }

    /// <summary>Samples per pixel (1 to 4).</summary>
    public int Channels => Mode.Channels();

    /// <summary>Bytes per row, <c>Width × Channels</c>.</summary>
    public int Stride => Width * Channels;

    /// <summary>Interleaved samples, <c>Height × Stride</c> bytes.</summary>
    public byte[] Pixels { get; }

    /// <summary>The samples of row <paramref name="y"/>.</summary>
    public ReadOnlySpan<byte> Row(int y)
    {
        if ((uint)y >= (uint)Height)
            throw new ArgumentOutOfRangeException(nameof(y), y, $"row outside 0..{Height - 1}");
        return Pixels.AsSpan(y * Stride, Stride);
    }

    /// <summary>
    /// The image as RGB with PIL's <c>Image.convert("RGB")</c> semantics: grey is replicated into the three
    /// channels, alpha is dropped (not composited onto any background), and CMYK becomes
    /// <c>(255 − K) − (255 − K)·C/255</c> per channel with PIL's rounding. Returns this instance when it is
    /// already RGB.
    /// </summary>
    public Image ToRgb()
    {
        if (Mode == ColorMode.Rgb)
            return this;
        var count = Width * Height;
        var rgb = new byte[count * 3];
        var src = Pixels.AsSpan();
        var dst = rgb.AsSpan();
        switch (Mode)
        {
            case ColorMode.Grey:
                for (var i = 0; i < count; i++)
                {
                    var v = src[i];
                    dst[3 * i] = v;
                    dst[3 * i + 1] = v;
                    dst[3 * i + 2] = v;
                }
                break;
            case ColorMode.GreyAlpha:
                for (var i = 0; i < count; i++)
                {
                    var v = src[2 * i];
                    dst[3 * i] = v;
                    dst[3 * i + 1] = v;
                    dst[3 * i + 2] = v;
                }
                break;
            case ColorMode.Rgba:
                for (var i = 0; i < count; i++)
                {
                    dst[3 * i] = src[4 * i];
                    dst[3 * i + 1] = src[4 * i + 1];
                    dst[3 * i + 2] = src[4 * i + 2];
                }
                break;
            case ColorMode.Cmyk:
                for (var i = 0; i < count; i++)
                {
                    var notK = 255 - src[4 * i + 3];
                    dst[3 * i] = CmykComponent(src[4 * i], notK);
                    dst[3 * i + 1] = CmykComponent(src[4 * i + 1], notK);
                    dst[3 * i + 2] = CmykComponent(src[4 * i + 2], notK);
                }
                break;
            default:
                throw new InvalidOperationException($"Unknown colour mode {Mode}.");
        }
        return new Image(Width, Height, ColorMode.Rgb, rgb);
    }

    /// <summary>PIL's <c>cmyk2rgb</c>: <c>notK − round(ink·notK/255)</c>, the product divided exactly as PIL does.</summary>
    private static byte CmykComponent(int ink, int notK)
    {
        var t = ink * notK + 128;
        return (byte)(notK - (((t >> 8) + t) >> 8));
    }

    /// <inheritdoc />
    public override string ToString() => $"Image {Width}x{Height} {Mode}";
}

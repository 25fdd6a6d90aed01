using Micar.Data.Images;

namespace Micar.Reports.Plotting;

/// <summary>A mutable RGB pixel buffer (rows top to bottom, 3 bytes per pixel) that can be written as PNG.</summary>
public sealed class RgbRaster
{
    /// <summary>A black raster of the given size.</summary>
    public RgbRaster(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        Width = width;
        Height = height;
        Pixels = new byte[checked(width * height * 3)];
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Interleaved RGB samples, <c>Height × Width × 3</c> bytes.</summary>
    public byte[] Pixels { get; }

    /// <summary>The pixel at column <paramref name="x"/>, row <paramref name="y"/>.</summary>
    public Rgb this[int x, int y]
    {
        get
        {
            var i = Offset(x, y);
            return new Rgb(Pixels[i], Pixels[i + 1], Pixels[i + 2]);
        }
        set
        {
            var i = Offset(x, y);
            Pixels[i] = value.R;
            Pixels[i + 1] = value.G;
            Pixels[i + 2] = value.B;
        }
    }

    /// <summary>
    /// <paramref name="image"/> as RGB resized to <paramref name="width"/> × <paramref name="height"/> with Pillow's
    /// antialiased bilinear filter (<see cref="PillowResize"/>); grey is replicated into the three channels.
    /// </summary>
    public static RgbRaster FromImage(Image image, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(image);
        var rgb = image.ToRgb();
        if (rgb.Width != width || rgb.Height != height)
            rgb = PillowResize.Bilinear(rgb, width, height);
        var raster = new RgbRaster(width, height);
        rgb.Pixels.CopyTo(raster.Pixels, 0);
        return raster;
    }

    /// <summary>
    /// <paramref name="image"/> as RGB scaled (up or down, aspect kept, sizes rounded) so that its longer side is
    /// <paramref name="longerSide"/> pixels; see <see cref="FromImage(Image, int, int)"/>.
    /// </summary>
    public static RgbRaster Fit(Image image, int longerSide)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(longerSide);
        var scale = (double)longerSide / Math.Max(image.Width, image.Height);
        return FromImage(image, Math.Max(1, (int)Math.Round(image.Width * scale)), Math.Max(1, (int)Math.Round(image.Height * scale)));
    }

    /// <summary>The raster as a PNG file (8-bit RGB, deterministic bytes).</summary>
    public byte[] ToPng() => PngEncoder.Encode(Pixels, Width, Height, 3);

    private int Offset(int x, int y)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height)
            throw new ArgumentOutOfRangeException(nameof(x), $"pixel ({x}, {y}) is outside the {Width}x{Height} raster");
        return (y * Width + x) * 3;
    }
}

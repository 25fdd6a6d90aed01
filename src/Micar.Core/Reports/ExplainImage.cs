using Micar.Data.Images;

namespace Micar.Reports;

/// <summary>The input image of an explanation: 8-bit grey (1 channel) or RGB (3 channels), rows top to bottom.</summary>
public sealed record ExplainImage
{
    /// <summary>Width in pixels.</summary>
    public required int Width { get; init; }

    /// <summary>Height in pixels.</summary>
    public required int Height { get; init; }

    /// <summary>1 (grey) or 3 (RGB).</summary>
    public required int Channels { get; init; }

    /// <summary><c>Height × Width × Channels</c> samples (base64 in JSON).</summary>
    public required byte[] Pixels { get; init; }

    /// <summary>Grey images stay grey; every other mode is converted to RGB with <see cref="Image.ToRgb"/>.</summary>
    public static ExplainImage From(Image image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var source = image.Mode == ColorMode.Grey ? image : image.ToRgb();
        return new ExplainImage { Width = source.Width, Height = source.Height, Channels = source.Channels, Pixels = source.Pixels };
    }

    /// <summary>This image as an <see cref="Image"/> (sharing the pixel array).</summary>
    /// <exception cref="ReportDataException">The fields are inconsistent.</exception>
    public Image ToImage(string field = "Image")
    {
        Validate(field);
        return new Image(Width, Height, Channels == 1 ? ColorMode.Grey : ColorMode.Rgb, Pixels);
    }

    /// <summary>Checks size, channel count and pixel count.</summary>
    /// <exception cref="ReportDataException">Naming <paramref name="field"/> and the problem.</exception>
    public void Validate(string field = "Image")
    {
        if (Width <= 0 || Height <= 0)
            throw new ReportDataException(field, $"size {Width}x{Height} is not positive");
        if (Channels is not (1 or 3))
            throw new ReportDataException($"{field}.Channels", $"must be 1 (grey) or 3 (RGB), got {Channels}");
        var expected = (long)Width * Height * Channels;
        if (Pixels is null || Pixels.LongLength != expected)
            throw new ReportDataException($"{field}.Pixels",
                $"a {Width}x{Height}x{Channels} image needs {expected} bytes, got {Pixels?.LongLength ?? 0}");
    }
}

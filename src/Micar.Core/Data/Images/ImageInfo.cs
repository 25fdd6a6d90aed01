using System.Globalization;

namespace Micar.Data.Images;

/// <summary>What an image file's header says, read by <see cref="ImageIO.Inspect"/> without decoding the pixels.</summary>
/// <param name="Format">PNG or JPEG.</param>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="Mode">The colour mode of the decoded <see cref="Image"/>.</param>
/// <param name="Kind">A short description such as <c>16-bit grey PNG</c> or <c>progressive JPEG</c>.</param>
/// <param name="DecodeBytes">The bytes the decoder allocates for the pixels (what <see cref="ImageDecodeOptions.MaxDecodedBytes"/> bounds).</param>
public sealed record ImageInfo(ImageFileFormat Format, int Width, int Height, ColorMode Mode, string Kind, long DecodeBytes)
{
    /// <summary>Width × height.</summary>
    public long Pixels => (long)Width * Height;

    /// <summary>Throws <see cref="ImageDecodeException"/> naming <paramref name="name"/> when the image exceeds a limit of <paramref name="options"/>.</summary>
    internal ImageInfo CheckLimits(string name, ImageDecodeOptions options)
    {
        if (Pixels > options.MaxPixels)
            throw new ImageDecodeException(name,
                $"{Width}x{Height} exceeds the limit of {options.MaxPixels} pixels ({nameof(ImageDecodeOptions)}.{nameof(ImageDecodeOptions.MaxPixels)})");
        if (DecodeBytes > options.MaxDecodedBytes)
            throw new ImageDecodeException(name, string.Create(CultureInfo.InvariantCulture,
                $"{Kind} of {Width}x{Height} pixels needs {DecodeBytes:N0} bytes to decode, more than the limit of " +
                $"{options.MaxDecodedBytes:N0} bytes ({nameof(ImageDecodeOptions)}.{nameof(ImageDecodeOptions.MaxDecodedBytes)})"));
        return this;
    }
}

namespace Micar.Data.Images;

/// <summary>
/// Reads PNG and JPEG images into <see cref="Image"/> values with the pixels
/// <c>PIL.Image.open(path)</c> produces, using libpng and libjpeg-turbo. Thread-safe: every call uses its
/// own native decoder state.
/// </summary>
public static class ImageIO
{
    /// <summary>Reads and decodes the file at <paramref name="path"/>; the format comes from its first bytes.</summary>
    /// <exception cref="ImageDecodeException">The file is corrupt, truncated, too large or not PNG/JPEG.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="DllNotFoundException">libpng 1.6 or TurboJPEG is not installed.</exception>
    public static Image Load(string path, ImageDecodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Decode(File.ReadAllBytes(path), path, options);
    }

    /// <summary>Decodes an in-memory PNG or JPEG file; <paramref name="nameForErrors"/> identifies it in exceptions.</summary>
    /// <exception cref="ImageDecodeException">The data is corrupt, truncated, too large or not PNG/JPEG.</exception>
    /// <exception cref="DllNotFoundException">libpng 1.6 or TurboJPEG is not installed.</exception>
    public static Image Decode(ReadOnlySpan<byte> data, string nameForErrors, ImageDecodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(nameForErrors);
        options ??= ImageDecodeOptions.Default;
        return ImageSignature.Detect(data) switch
        {
            ImageFileFormat.Png => PngDecoder.Decode(data, nameForErrors, options),
            ImageFileFormat.Jpeg => JpegDecoder.Decode(data, nameForErrors, options),
            _ => throw new ImageDecodeException(nameForErrors, DescribeUnknown(data)),
        };
    }

    private static string DescribeUnknown(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
            return "the file is empty";
        var known = ImageSignature.NameUnsupported(data);
        if (known is not null)
            return $"{known} images are not supported (only PNG and JPEG)";
        var head = Convert.ToHexString(data[..Math.Min(8, data.Length)]);
        return $"not a PNG or JPEG file (starts with bytes {head})";
    }
}

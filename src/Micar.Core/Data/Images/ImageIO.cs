namespace Micar.Data.Images;

/// <summary>
/// Reads PNG and JPEG images into <see cref="Image"/> values with the pixels
/// <c>PIL.Image.open(path)</c> produces, using libpng and libjpeg-turbo. Thread-safe: every call uses its
/// own native decoder state.
/// </summary>
public static class ImageIO
{
    /// <summary>Reads and decodes the file at <paramref name="path"/>; the format comes from its first bytes.</summary>
    /// <exception cref="ImageDecodeException">The file is corrupt, truncated, too large or not PNG/JPEG, or the path is a directory.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="DllNotFoundException">libpng 1.6 or TurboJPEG is not installed.</exception>
    public static Image Load(string path, ImageDecodeOptions? options = null) => Decode(ReadFile(path), path, options);

    /// <summary>The bytes of the file at <paramref name="path"/>.</summary>
    /// <exception cref="ImageDecodeException">The path is a directory.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static byte[] ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
            throw new ImageDecodeException(path, "is a directory, not a file");
        return File.ReadAllBytes(path);
    }

    /// <summary>
    /// Reads the header of an in-memory PNG or JPEG file — size, decoded mode, and the bytes decoding would
    /// allocate — without decoding its pixels, and checks it against the limits of <paramref name="options"/>.
    /// </summary>
    /// <exception cref="ImageDecodeException">The header is corrupt, the format unsupported, or a limit exceeded.</exception>
    /// <exception cref="DllNotFoundException">libpng 1.6 or TurboJPEG is not installed.</exception>
    public static ImageInfo Inspect(ReadOnlySpan<byte> data, string nameForErrors, ImageDecodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(nameForErrors);
        options ??= ImageDecodeOptions.Default;
        var info = ImageSignature.Detect(data) switch
        {
            ImageFileFormat.Png => PngDecoder.Inspect(data, nameForErrors),
            ImageFileFormat.Jpeg => JpegDecoder.Inspect(data, nameForErrors),
            _ => throw new ImageDecodeException(nameForErrors, ImageSignature.DescribeUnsupported(data)),
        };
        return info.CheckLimits(nameForErrors, options);
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
            _ => throw new ImageDecodeException(nameForErrors, ImageSignature.DescribeUnsupported(data)),
        };
    }
}

namespace Micar.Data.Images;

/// <summary>Limits and leniency of <see cref="ImageIO"/>.</summary>
public sealed record ImageDecodeOptions
{
    /// <summary>The defaults: strict, at most <see cref="MaxPixels"/> = 178,956,970 pixels.</summary>
    public static ImageDecodeOptions Default { get; } = new();

    /// <summary>
    /// Largest accepted width × height. The default, 178,956,970, is the size at which PIL refuses to open
    /// an image (twice <c>Image.MAX_IMAGE_PIXELS</c>) as a decompression bomb.
    /// </summary>
    public long MaxPixels { get; init; } = 178_956_970;

    /// <summary>
    /// Accept JPEG files for which libjpeg reports a recoverable warning — corrupt entropy-coded data or a
    /// truncated file — and keep whatever it decoded (missing parts come out grey), as PIL does with
    /// <c>ImageFile.LOAD_TRUNCATED_IMAGES = True</c>. Off by default: such files raise
    /// <see cref="ImageDecodeException"/>, as truncated files do in PIL.
    /// </summary>
    public bool AcceptJpegWarnings { get; init; }
}

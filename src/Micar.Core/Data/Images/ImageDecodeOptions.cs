namespace Micar.Data.Images;

/// <summary>Limits, leniency and 16-bit handling of <see cref="ImageIO"/>.</summary>
public sealed record ImageDecodeOptions
{
    /// <summary>The default <see cref="MaxDecodedBytes"/>: 512 MiB.</summary>
    public const long DefaultMaxDecodedBytes = 512L << 20;

    /// <summary>
    /// The defaults: strict, at most <see cref="MaxPixels"/> = 178,956,970 pixels and
    /// <see cref="MaxDecodedBytes"/> = 512 MiB of pixel buffers, 16-bit grey clipped as PIL does.
    /// </summary>
    public static ImageDecodeOptions Default { get; } = new();

    /// <summary>
    /// Largest accepted width × height. The default, 178,956,970, is the size at which PIL refuses to open
    /// an image (twice <c>Image.MAX_IMAGE_PIXELS</c>) as a decompression bomb.
    /// </summary>
    public long MaxPixels { get; init; } = 178_956_970;

    /// <summary>
    /// Largest accepted size, in bytes, of the buffers the decoder allocates for an image's pixels
    /// (<see cref="ImageInfo.DecodeBytes"/>: the decoded samples at the file's bit depth, the 8-bit result, and
    /// for progressive or multi-scan JPEGs libjpeg's whole-image coefficient buffer), checked from the header
    /// before anything is allocated. The default, 512 MiB (<see cref="DefaultMaxDecodedBytes"/>), admits every
    /// grey or RGB image within <see cref="MaxPixels"/>, 8-bit or 16-bit grey (8-bit RGB at the pixel limit
    /// needs 536,870,910 bytes), and refuses files whose few compressed bytes expand into more: 16-bit RGB PNGs
    /// above 59.6 million pixels, 16-bit grey+alpha above 89 million, RGBA, palette+tRNS and CMYK above 134 million,
    /// progressive JPEGs above 60 million (4:4:4) to 89 million (4:2:0), as libjpeg buffers their coefficients.
    /// </summary>
    public long MaxDecodedBytes { get; init; } = DefaultMaxDecodedBytes;

    /// <summary>
    /// Accept JPEG files for which libjpeg reports a recoverable warning — corrupt entropy-coded data or a
    /// truncated file — and keep whatever it decoded (missing parts come out grey), as PIL does with
    /// <c>ImageFile.LOAD_TRUNCATED_IMAGES = True</c>. Off by default: such files raise
    /// <see cref="ImageDecodeException"/>, as truncated files do in PIL.
    /// </summary>
    public bool AcceptJpegWarnings { get; init; }

    /// <summary>
    /// How the samples of 16-bit grey PNGs (with or without alpha) become 8-bit: <see cref="SixteenBitMapping.Clip"/>
    /// (default, PIL parity), <see cref="SixteenBitMapping.MinMax"/> or <see cref="SixteenBitMapping.Window"/>.
    /// 16-bit colour PNGs always keep PIL's most significant byte, which already spans the full range.
    /// </summary>
    public SixteenBitMapping SixteenBit { get; init; } = SixteenBitMapping.Clip;
}

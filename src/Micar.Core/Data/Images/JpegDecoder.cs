namespace Micar.Data.Images;

/// <summary>
/// Decodes JPEG files through TurboJPEG with libjpeg's default settings — accurate integer IDCT and fancy
/// (smooth) chroma upsampling — which are what PIL uses, so with the same libjpeg-turbo the pixels agree
/// bit for bit (verified with libjpeg-turbo 2.1.5 and Pillow 9.4).
/// </summary>
/// <remarks>
/// Grey JPEGs give <see cref="ColorMode.Grey"/>, YCbCr and RGB JPEGs <see cref="ColorMode.Rgb"/>. CMYK and
/// YCCK JPEGs give <see cref="ColorMode.Cmyk"/>; like PIL (which always assumes Adobe's inverted
/// convention, raw mode <c>CMYK;I</c>) the stored samples are inverted. EXIF orientation is not applied,
/// as <c>PIL.Image.open</c> does not apply it either.
/// </remarks>
internal static unsafe class JpegDecoder
{
    /// <summary>Reads the header of a JPEG file already identified by its SOI marker (no pixels are decoded).</summary>
    public static ImageInfo Inspect(ReadOnlySpan<byte> jpeg, string name)
    {
        var handle = TurboJpeg.InitDecompress();
        if (handle == 0)
            throw new InvalidOperationException("TurboJPEG could not create a decompressor (out of memory?).");
        try
        {
            return ReadHeader(handle, jpeg, name).Info;
        }
        finally
        {
            TurboJpeg.Destroy(handle);
        }
    }

    /// <summary>Decodes a JPEG file already identified by its SOI marker.</summary>
    public static Image Decode(ReadOnlySpan<byte> jpeg, string name, ImageDecodeOptions options)
    {
        var handle = TurboJpeg.InitDecompress();
        if (handle == 0)
            throw new InvalidOperationException("TurboJPEG could not create a decompressor (out of memory?).");
        try
        {
            var (info, pixelFormat) = ReadHeader(handle, jpeg, name);
            info.CheckLimits(name, options);
            var (width, height, mode) = (info.Width, info.Height, info.Mode);
            fixed (byte* source = jpeg)
            {
                var size = (nuint)jpeg.Length;
                var pixels = new byte[(long)width * height * mode.Channels()];
                fixed (byte* destination = pixels)
                {
                    if (TurboJpeg.Decompress(handle, source, size, destination, width, height, pixelFormat) != 0)
                    {
                        var fatal = TurboJpeg.ErrorCode(handle) == TurboJpeg.ErrorFatal;
                        if (fatal || !options.AcceptJpegWarnings)
                            throw new ImageDecodeException(name,
                                $"JPEG data is {(fatal ? "corrupt or unsupported" : "corrupt or truncated")} (TurboJPEG: {TurboJpeg.ErrorMessage(handle)})");
                    }
                }
                if (mode == ColorMode.Cmyk)
                {
                    for (long i = 0; i < pixels.LongLength; i++)
                        pixels[i] = (byte)(255 - pixels[i]);
                }
                return new Image(width, height, mode, pixels);
            }
        }
        finally
        {
            TurboJpeg.Destroy(handle);
        }
    }

    private static (ImageInfo Info, int PixelFormat) ReadHeader(nint handle, ReadOnlySpan<byte> jpeg, string name)
    {
        int width, height, colorspace;
        fixed (byte* source = jpeg)
        {
            if (TurboJpeg.DecompressHeader(handle, source, (nuint)jpeg.Length, out width, out height, out _, out colorspace) != 0)
                throw new ImageDecodeException(name, $"JPEG header is corrupt or unsupported (TurboJPEG: {TurboJpeg.ErrorMessage(handle)})");
        }
        if (width <= 0 || height <= 0)
            throw new ImageDecodeException(name, "JPEG file is truncated or corrupt: no frame header before the data ends");
        var (mode, pixelFormat) = colorspace switch
        {
            TurboJpeg.ColorspaceGray => (ColorMode.Grey, TurboJpeg.PixelFormatGray),
            TurboJpeg.ColorspaceRgb or TurboJpeg.ColorspaceYCbCr => (ColorMode.Rgb, TurboJpeg.PixelFormatRgb),
            TurboJpeg.ColorspaceCmyk or TurboJpeg.ColorspaceYcck => (ColorMode.Cmyk, TurboJpeg.PixelFormatCmyk),
            _ => throw new ImageDecodeException(name, $"JPEG colour space {colorspace} is not supported"),
        };
        var frame = JpegFrame.Read(jpeg);
        var kind = frame is { Progressive: true } ? "progressive JPEG" : frame is { MultiScan: true } ? "multi-scan JPEG" : "JPEG";
        var bytes = (long)width * height * mode.Channels() + (frame?.CoefficientBytes ?? 0);
        return (new ImageInfo(ImageFileFormat.Jpeg, width, height, mode, kind, bytes), pixelFormat);
    }
}

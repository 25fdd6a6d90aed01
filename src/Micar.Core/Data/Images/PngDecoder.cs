namespace Micar.Data.Images;

/// <summary>
/// Decodes PNG files through libpng's simplified API into the 8-bit <see cref="Image"/> PIL would produce
/// from <c>Image.open(path)</c>.
/// </summary>
/// <remarks>
/// What PIL does (verified against Pillow 9.4 by the parity fixtures), and how it is reproduced:
/// <list type="bullet">
/// <item>Grey, RGB, grey+alpha and RGBA at 8 bits, and grey at 1, 2 and 4 bits (scaled to 0..255), are
/// read as stored. Colour-space chunks are dropped first (see <see cref="PngContainer"/>), so libpng applies
/// no gamma conversion, like PIL.</item>
/// <item><c>tRNS</c> on grey or RGB images is ignored (PIL keeps mode <c>L</c>/<c>RGB</c> and
/// <c>convert("RGB")</c> ignores it); on palette images it yields <see cref="ColorMode.Rgba"/>, whose RGB part
/// is the plain palette lookup of <c>convert("RGB")</c>.</item>
/// <item>16-bit grey: PIL opens it as an integer image (mode <c>I</c> in Pillow 9.4) and
/// both <c>convert("L")</c> and <c>convert("RGB")</c> <em>clip</em> the values to 0..255 instead of
/// rescaling — so a typical 12- or 16-bit radiograph comes out nearly white. Micar reproduces that clipping
/// for parity with the official pipeline (read 16-bit linear samples, then <c>min(v, 255)</c>).</item>
/// <item>16-bit RGB: PIL keeps the most significant byte (<c>v &gt;&gt; 8</c>); read as 16-bit linear
/// samples (no alpha, so libpng does not premultiply) and shifted.</item>
/// <item>16-bit grey+alpha: PIL keeps the most significant bytes (as mode RGBA). Its scanlines are
/// byte-for-byte those of an 8-bit RGBA image of the same size (4 bytes per pixel either way, so filtering
/// and interlacing agree), so the header is relabelled and libpng returns the raw bytes, from which the
/// high bytes are taken: exact.</item>
/// <item>16-bit RGBA: the simplified API can only deliver premultiplied 16-bit samples or 8-bit ones reduced
/// with rounding (<c>(v·255 + 32895) &gt;&gt; 16</c>) where PIL truncates (<c>v &gt;&gt; 8</c>); the rounded
/// 8-bit samples are used, so a channel can differ from PIL by one level.</item>
/// </list>
/// </remarks>
internal static unsafe class PngDecoder
{
    /// <summary>Decodes a PNG file already identified by its signature.</summary>
    public static Image Decode(ReadOnlySpan<byte> png, string name, ImageDecodeOptions options)
    {
        var container = PngContainer.Parse(png, name);
        var header = container.Header;
        if ((long)header.Width * header.Height > options.MaxPixels)
            throw new ImageDecodeException(name,
                $"{header.Width}x{header.Height} exceeds the limit of {options.MaxPixels} pixels ({nameof(ImageDecodeOptions)}.{nameof(ImageDecodeOptions.MaxPixels)})");
        var (w, h) = (header.Width, header.Height);
        var pixelCount = (long)w * h;

        if (header.BitDepth == 16)
        {
            switch (header.ColorType)
            {
                case PngHeader.Grey:
                {
                    var samples = Read<ushort>(container.Rebuild(png, header, false), header, LibPng.FormatLinear, 0, 1, name);
                    var pixels = new byte[pixelCount];
                    for (long i = 0; i < pixelCount; i++)
                        pixels[i] = (byte)Math.Min(samples[i], (ushort)255);
                    return new Image(w, h, ColorMode.Grey, pixels);
                }
                case PngHeader.Rgb:
                {
                    var samples = Read<ushort>(container.Rebuild(png, header, false), header, LibPng.FormatLinear | LibPng.FormatColor, 0, 3, name);
                    var pixels = new byte[samples.LongLength];
                    for (long i = 0; i < samples.LongLength; i++)
                        pixels[i] = (byte)(samples[i] >> 8);
                    return new Image(w, h, ColorMode.Rgb, pixels);
                }
                case PngHeader.GreyAlpha:
                {
                    var relabelled = header with { BitDepth = 8, ColorType = PngHeader.Rgba };
                    var bytes = Read<byte>(container.Rebuild(png, relabelled, false), relabelled, LibPng.FormatColor | LibPng.FormatAlpha, 0, 4, name);
                    var pixels = new byte[pixelCount * 2];
                    for (long i = 0; i < pixelCount; i++)
                    {
                        pixels[2 * i] = bytes[4 * i];          // grey, most significant byte
                        pixels[2 * i + 1] = bytes[4 * i + 2];  // alpha, most significant byte
                    }
                    return new Image(w, h, ColorMode.GreyAlpha, pixels);
                }
                case PngHeader.Rgba:
                {
                    var pixels = Read<byte>(container.Rebuild(png, header, false), header,
                        LibPng.FormatColor | LibPng.FormatAlpha, LibPng.Flag16BitSrgb, 4, name);
                    return new Image(w, h, ColorMode.Rgba, pixels);
                }
                default:
                    throw new ImageDecodeException(name, $"{header.Describe()} PNG is not valid");
            }
        }

        var (mode, format, keepTransparency) = header.ColorType switch
        {
            PngHeader.Grey => (ColorMode.Grey, 0u, false),
            PngHeader.GreyAlpha => (ColorMode.GreyAlpha, LibPng.FormatAlpha, false),
            PngHeader.Rgb => (ColorMode.Rgb, LibPng.FormatColor, false),
            PngHeader.Rgba => (ColorMode.Rgba, LibPng.FormatColor | LibPng.FormatAlpha, false),
            _ when container.HasTransparencyChunk => (ColorMode.Rgba, LibPng.FormatColor | LibPng.FormatAlpha, true),
            _ => (ColorMode.Rgb, LibPng.FormatColor, false),
        };
        var decoded = Read<byte>(container.Rebuild(png, header, keepTransparency), header, format, 0, mode.Channels(), name);
        return new Image(w, h, mode, decoded);
    }

    private static T[] Read<T>(byte[] stream, PngHeader header, uint format, uint flags, int channels, string name)
        where T : unmanaged
    {
        var buffer = new T[(long)header.Width * header.Height * channels];
        var control = default(PngImageControl);
        control.Version = LibPng.ImageVersion;
        fixed (byte* source = stream)
        fixed (T* destination = buffer)
        {
            try
            {
                if (!LibPng.BeginReadFromMemory(&control, source, (nuint)stream.Length))
                    throw Failure(name, header, control);
                if (control.Width != (uint)header.Width || control.Height != (uint)header.Height)
                    throw new ImageDecodeException(name, $"libpng read a {control.Width}x{control.Height} header where IHDR says {header.Width}x{header.Height}");
                control.Format = format;
                control.Flags |= flags;
                if (!LibPng.FinishRead(&control, destination))
                    throw Failure(name, header, control);
            }
            finally
            {
                LibPng.Free(&control);
            }
        }
        return buffer;
    }

    private static ImageDecodeException Failure(string name, PngHeader header, in PngImageControl control) =>
        new(name, $"{header.Describe()} PNG data is corrupt or truncated (libpng: {control.MessageText})");
}

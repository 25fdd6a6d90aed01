using System.Buffers.Binary;
using System.Runtime.InteropServices;

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
/// for parity with the official pipeline (read 16-bit linear samples, then <c>min(v, 255)</c>), warns once per
/// process when it clips (<see cref="ImageWarnings"/>), and offers a min-max or window mapping instead
/// (<see cref="ImageDecodeOptions.SixteenBit"/>), which also applies to the grey of 16-bit grey+alpha.</item>
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
    /// <summary>Reads the header and chunk layout of a PNG file already identified by its signature (no pixels are decoded).</summary>
    public static ImageInfo Inspect(ReadOnlySpan<byte> png, string name) => Describe(PngContainer.Parse(png, name));

    /// <summary>Decodes a PNG file already identified by its signature.</summary>
    public static Image Decode(ReadOnlySpan<byte> png, string name, ImageDecodeOptions options)
    {
        var container = PngContainer.Parse(png, name);
        var header = container.Header;
        var info = Describe(container).CheckLimits(name, options);
        var (w, h) = (header.Width, header.Height);
        var pixelCount = info.Pixels;

        if (header.BitDepth == 16)
        {
            switch (header.ColorType)
            {
                case PngHeader.Grey:
                {
                    var samples = Read<ushort>(container.Rebuild(png, header, false), header, LibPng.FormatLinear, 0, 1, name);
                    var pixels = new byte[pixelCount];
                    var clipped = options.SixteenBit.Apply(samples, pixels);
                    if (clipped && options.SixteenBit.Mode == SixteenBitMode.Clip)
                        WarnClipped(name);
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
                    if (options.SixteenBit.Mode != SixteenBitMode.Clip)
                    {
                        // The raw samples are big-endian grey/alpha pairs: put the grey ones in host order and map them.
                        var samples = MemoryMarshal.Cast<byte, ushort>(bytes.AsSpan());
                        if (BitConverter.IsLittleEndian)
                        {
                            for (var i = 0; i < samples.Length; i += 2)
                                samples[i] = BinaryPrimitives.ReverseEndianness(samples[i]);
                        }
                        options.SixteenBit.Apply(samples, pixels, 2);
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

        var (format, keepTransparency) = info.Mode switch
        {
            ColorMode.Grey => (0u, false),
            ColorMode.GreyAlpha => (LibPng.FormatAlpha, false),
            ColorMode.Rgb => (LibPng.FormatColor, false),
            _ => (LibPng.FormatColor | LibPng.FormatAlpha, header.ColorType == PngHeader.Palette),
        };
        var decoded = Read<byte>(container.Rebuild(png, header, keepTransparency), header, format, 0, info.Mode.Channels(), name);
        return new Image(w, h, info.Mode, decoded);
    }

    /// <summary>
    /// The decoded mode and the bytes <see cref="Decode"/> allocates for the pixels: the samples libpng writes
    /// (16-bit for grey and RGB, raw bytes for grey+alpha, 8-bit otherwise) plus the 8-bit image made from them.
    /// </summary>
    private static ImageInfo Describe(PngContainer container)
    {
        var header = container.Header;
        var (mode, bytesPerPixel) = header.BitDepth == 16
            ? header.ColorType switch
            {
                PngHeader.Grey => (ColorMode.Grey, 2 + 1),
                PngHeader.Rgb => (ColorMode.Rgb, 6 + 3),
                PngHeader.GreyAlpha => (ColorMode.GreyAlpha, 4 + 2),
                _ => (ColorMode.Rgba, 4),
            }
            : header.ColorType switch
            {
                PngHeader.Grey => (ColorMode.Grey, 1),
                PngHeader.GreyAlpha => (ColorMode.GreyAlpha, 2),
                PngHeader.Rgb => (ColorMode.Rgb, 3),
                PngHeader.Rgba => (ColorMode.Rgba, 4),
                _ when container.HasTransparencyChunk => (ColorMode.Rgba, 4),
                _ => (ColorMode.Rgb, 3),
            };
        return new ImageInfo(ImageFileFormat.Png, header.Width, header.Height, mode, $"{header.Describe()} PNG",
            (long)header.Width * header.Height * bytesPerPixel);
    }

    private static void WarnClipped(string name) =>
        ImageWarnings.Once("16-bit clip", () =>
            $"warning: '{name}' is a 16-bit grey image with values above 255, which are clipped to 255 as PIL does " +
            "(a 12- or 16-bit scan comes out mostly white); map them with a min-max or window mapping instead " +
            $"(micar's --sixteen-bit minmax|LO:HI, {nameof(ImageDecodeOptions)}.{nameof(ImageDecodeOptions.SixteenBit)} in the API). Reported once per process.");

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

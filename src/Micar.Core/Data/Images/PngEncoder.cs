using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;

namespace Micar.Data.Images;

/// <summary>
/// Writes 8-bit PNG images through the system libpng (<c>libpng16.so.16</c>) using its simplified write API
/// (<c>png_image_write_to_memory</c>). libpng reports failures in the <c>png_image</c> struct rather than by
/// unwinding, so no native <c>longjmp</c> ever crosses managed frames.
/// </summary>
/// <remarks>
/// Pixels are row-major, top row first, channels interleaved with no padding between rows:
/// 1 = grey, 2 = grey + alpha, 3 = RGB, 4 = RGBA. Output is deterministic: the same pixels give the same bytes.
/// </remarks>
public static class PngEncoder
{
    private const string LibPng = "libpng16.so.16";
    private const uint ImageVersion = 1;       // PNG_IMAGE_VERSION
    private const uint FormatFlagAlpha = 0x01; // PNG_FORMAT_FLAG_ALPHA
    private const uint FormatFlagColor = 0x02; // PNG_FORMAT_FLAG_COLOR
    private const uint ImageFlagFast = 0x02;   // PNG_IMAGE_FLAG_FAST
    private const uint ImageError = 2;         // PNG_IMAGE_ERROR (bit of warning_or_error)

    /// <summary>Encodes pixels as a PNG byte stream.</summary>
    /// <param name="pixels">Exactly <paramref name="width"/> × <paramref name="height"/> × <paramref name="channels"/> bytes.</param>
    /// <param name="width">Image width in pixels (≥ 1).</param>
    /// <param name="height">Image height in pixels (≥ 1).</param>
    /// <param name="channels">1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA).</param>
    /// <param name="fast">Ask libpng to favour speed over size (no row filters, lower zlib level).</param>
    /// <returns>The complete PNG file contents.</returns>
    /// <exception cref="ArgumentException">The dimensions, channel count or buffer length are inconsistent.</exception>
    /// <exception cref="InvalidOperationException">libpng reported an error (its message is included).</exception>
    public static byte[] Encode(ReadOnlySpan<byte> pixels, int width, int height, int channels, bool fast = false)
    {
        var format = Validate(pixels.Length, width, height, channels);
        long rawBytes = (long)height * (width * (long)channels + 1);
        // zlib's worst case for stored blocks is about 5 bytes per 16 KiB plus headers; PNG adds chunk framing.
        long guess = rawBytes + rawBytes / 8 + 1024;
        if (guess > int.MaxValue)
        {
            throw new ArgumentException($"PNG: image {width}x{height}x{channels} is too large to encode in memory.", nameof(pixels));
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)guess);
        try
        {
            var written = WriteToMemory(pixels, width, height, format, fast, buffer, out var required, out var error);
            if (written < 0 && required > 0 && error is null)
            {
                // The guess was too small: libpng told us the exact size it needs.
                var larger = ArrayPool<byte>.Shared.Rent(checked((int)required));
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = larger;
                written = WriteToMemory(pixels, width, height, format, fast, buffer, out required, out error);
            }

            if (written < 0)
            {
                throw new InvalidOperationException(
                    $"PNG: libpng failed to encode a {width}x{height}x{channels} image: {error ?? "unknown error"}.");
            }

            return buffer.AsSpan(0, written).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Encodes pixels as PNG and writes them to <paramref name="path"/> atomically: the bytes go to a temporary
    /// file in the same directory, which is then renamed over the destination.
    /// </summary>
    /// <param name="path">Destination file; its directory must exist.</param>
    /// <param name="pixels">Exactly <paramref name="width"/> × <paramref name="height"/> × <paramref name="channels"/> bytes.</param>
    /// <param name="width">Image width in pixels (≥ 1).</param>
    /// <param name="height">Image height in pixels (≥ 1).</param>
    /// <param name="channels">1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA).</param>
    /// <param name="fast">Ask libpng to favour speed over size.</param>
    /// <exception cref="ArgumentException">Bad dimensions, channels or buffer length (the message names the path).</exception>
    /// <exception cref="IOException">The file could not be written (the message names the path).</exception>
    public static void Save(string path, ReadOnlySpan<byte> pixels, int width, int height, int channels, bool fast = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] png;
        try
        {
            png = Encode(pixels, width, height, channels, fast);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{path}: {e.Message}", nameof(pixels), e);
        }
        catch (InvalidOperationException e)
        {
            throw new IOException($"{path}: {e.Message}", e);
        }

        WriteAtomically(path, png);
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> via a temporary file and a rename.</summary>
    internal static void WriteAtomically(string path, ReadOnlySpan<byte> bytes)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full) ?? ".";
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
            }

            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new IOException($"{path}: cannot write file: {e.Message}", e);
        }
    }

    private static void TryDelete(string temp)
    {
        try
        {
            File.Delete(temp);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the original error is the one worth reporting.
        }
    }

    private static uint Validate(int length, int width, int height, int channels)
    {
        if (width < 1 || height < 1)
        {
            throw new ArgumentException($"PNG: width and height must be positive (got {width}x{height}).", nameof(width));
        }

        if (channels is < 1 or > 4)
        {
            throw new ArgumentException($"PNG: channels must be 1, 2, 3 or 4 (got {channels}).", nameof(channels));
        }

        long expected = (long)width * height * channels;
        if (length != expected)
        {
            throw new ArgumentException(
                $"PNG: pixel buffer has {length} bytes but {width}x{height}x{channels} needs {expected}.", nameof(length));
        }

        return channels switch
        {
            1 => 0,
            2 => FormatFlagAlpha,
            3 => FormatFlagColor,
            _ => FormatFlagColor | FormatFlagAlpha,
        };
    }

    /// <returns>Bytes written, or −1 on failure (then <paramref name="required"/> is the size libpng asked for,
    /// or 0, and <paramref name="error"/> the message when libpng flagged an error).</returns>
    private static unsafe int WriteToMemory(
        ReadOnlySpan<byte> pixels, int width, int height, uint format, bool fast, byte[] buffer,
        out long required, out string? error)
    {
        var image = new PngImage
        {
            Version = ImageVersion,
            Width = (uint)width,
            Height = (uint)height,
            Format = format,
            Flags = fast ? ImageFlagFast : 0,
        };
        nuint size = (nuint)buffer.Length;
        int ok;
        fixed (byte* src = pixels)
        fixed (byte* dst = buffer)
        {
            try
            {
                ok = png_image_write_to_memory(&image, dst, &size, 0, src, 0, null);
            }
            finally
            {
                png_image_free(&image);
            }
        }

        error = (image.WarningOrError & ImageError) != 0 ? ReadMessage(&image) : null;
        if (ok != 0 && error is null)
        {
            required = (long)size;
            return (int)size;
        }

        required = ok == 0 && size > (nuint)buffer.Length ? (long)size : 0;
        return -1;
    }

    private static unsafe string ReadMessage(PngImage* image)
    {
        var span = new ReadOnlySpan<byte>(image->Message, 64);
        var end = span.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? span : span[..end]);
    }

    /// <summary>libpng 1.6 <c>png_image</c> (png.h): pointer, seven 32-bit fields, then a 64-byte message.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct PngImage
    {
        public nint Opaque;
        public uint Version;
        public uint Width;
        public uint Height;
        public uint Format;
        public uint Flags;
        public uint ColormapEntries;
        public uint WarningOrError;
        public fixed byte Message[64];
    }

    [DllImport(LibPng, CallingConvention = CallingConvention.Cdecl)]
    private static extern unsafe int png_image_write_to_memory(
        PngImage* image, void* memory, nuint* memoryBytes, int convertTo8Bit, void* buffer, int rowStride, void* colormap);

    [DllImport(LibPng, CallingConvention = CallingConvention.Cdecl)]
    private static extern unsafe void png_image_free(PngImage* image);
}

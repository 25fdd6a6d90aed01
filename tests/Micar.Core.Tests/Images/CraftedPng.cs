using System.Buffers.Binary;
using System.IO.Compression;
using Micar.Data.Images;

namespace Micar.Tests.Images;

/// <summary>PNG files built byte by byte for tests: any IHDR, raw scanlines (filter 0) or a token IDAT.</summary>
internal static class CraftedPng
{
    /// <summary>
    /// A PNG with the given IHDR whose IDAT holds <paramref name="scanlines"/> (each row prefixed with filter byte 0)
    /// — or, when null, a single compressed row of zeros: a header claiming a huge image with almost no data.
    /// </summary>
    public static byte[] Build(int width, int height, int bitDepth, int colorType, byte[]? scanlines = null)
    {
        using var output = new MemoryStream();
        output.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = (byte)bitDepth;
        header[9] = (byte)colorType;
        Chunk(output, "IHDR", header);
        using (var raw = new MemoryStream())
        {
            using (var zlib = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
                zlib.Write(scanlines ?? new byte[64]);
            Chunk(output, "IDAT", raw.ToArray());
        }
        Chunk(output, "IEND", []);
        return output.ToArray();
    }

    /// <summary>A 16-bit grey PNG of <paramref name="width"/> × (samples / width) holding <paramref name="samples"/>.</summary>
    public static byte[] Grey16(int width, params ushort[] samples)
    {
        var height = samples.Length / width;
        var rows = new byte[height * (1 + 2 * width)];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
                BinaryPrimitives.WriteUInt16BigEndian(rows.AsSpan(y * (1 + 2 * width) + 1 + 2 * x), samples[y * width + x]);
        }
        return Build(width, height, 16, 0, rows);
    }

    /// <summary>A 16-bit grey+alpha PNG, one row, holding the (grey, alpha) pairs given.</summary>
    public static byte[] GreyAlpha16(params (ushort Grey, ushort Alpha)[] pixels)
    {
        var row = new byte[1 + 4 * pixels.Length];
        for (var x = 0; x < pixels.Length; x++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(row.AsSpan(1 + 4 * x), pixels[x].Grey);
            BinaryPrimitives.WriteUInt16BigEndian(row.AsSpan(3 + 4 * x), pixels[x].Alpha);
        }
        return Build(pixels.Length, 1, 16, 4, row);
    }

    private static void Chunk(Stream output, string type, byte[] data)
    {
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(chunk, data.Length);
        System.Text.Encoding.ASCII.GetBytes(type).CopyTo(chunk, 4);
        data.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32.Compute(chunk.AsSpan(4, 4 + data.Length)));
        output.Write(chunk);
    }
}

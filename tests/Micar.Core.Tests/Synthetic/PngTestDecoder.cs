using System.IO.Compression;
using System.Text;

namespace Micar.Tests.Synthetic;

/// <summary>
/// A small independent PNG reader for tests (8-bit, non-interlaced): checks the signature and every chunk CRC,
/// inflates IDAT with .NET's zlib and undoes the five row filters.
/// </summary>
internal static class PngTestDecoder
{
    private static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];
    private static readonly uint[] CrcTable = BuildCrcTable();

    public sealed record Image(int Width, int Height, int Channels, byte[] Pixels, IReadOnlyList<string> Chunks);

    public static Image Decode(byte[] png)
    {
        if (!png.AsSpan(0, 8).SequenceEqual(Signature))
        {
            throw new InvalidDataException("bad PNG signature");
        }

        var chunks = new List<string>();
        using var idat = new MemoryStream();
        int width = 0, height = 0, channels = 0;
        var pos = 8;
        while (pos < png.Length)
        {
            var length = (int)ReadUInt32(png, pos);
            var type = Encoding.ASCII.GetString(png, pos + 4, 4);
            var data = png.AsSpan(pos + 8, length);
            var crc = ReadUInt32(png, pos + 8 + length);
            if (crc != Crc(png.AsSpan(pos + 4, length + 4)))
            {
                throw new InvalidDataException($"bad CRC in chunk {type}");
            }

            chunks.Add(type);
            switch (type)
            {
                case "IHDR":
                    width = (int)ReadUInt32(png, pos + 8);
                    height = (int)ReadUInt32(png, pos + 12);
                    var bitDepth = data[8];
                    var colourType = data[9];
                    if (bitDepth != 8 || data[12] != 0)
                    {
                        throw new InvalidDataException($"unsupported bit depth {bitDepth} or interlace {data[12]}");
                    }

                    channels = colourType switch
                    {
                        0 => 1,
                        4 => 2,
                        2 => 3,
                        6 => 4,
                        _ => throw new InvalidDataException($"unsupported colour type {colourType}"),
                    };
                    break;
                case "IDAT":
                    idat.Write(data);
                    break;
            }

            pos += 12 + length;
            if (type == "IEND")
            {
                break;
            }
        }

        idat.Position = 0;
        using var inflater = new ZLibStream(idat, CompressionMode.Decompress);
        using var raw = new MemoryStream();
        inflater.CopyTo(raw);
        var bytes = raw.ToArray();
        var stride = width * channels;
        if (bytes.Length != height * (stride + 1))
        {
            throw new InvalidDataException($"inflated {bytes.Length} bytes, expected {height * (stride + 1)}");
        }

        var pixels = new byte[height * stride];
        for (var y = 0; y < height; y++)
        {
            var filter = bytes[y * (stride + 1)];
            for (var x = 0; x < stride; x++)
            {
                int a = x >= channels ? pixels[y * stride + x - channels] : 0;
                int b = y > 0 ? pixels[(y - 1) * stride + x] : 0;
                int c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0;
                int f = bytes[y * (stride + 1) + 1 + x];
                var predictor = filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) / 2,
                    4 => Paeth(a, b, c),
                    _ => throw new InvalidDataException($"bad filter {filter} on row {y}"),
                };
                pixels[y * stride + x] = (byte)(f + predictor);
            }
        }

        return new Image(width, height, channels, pixels, chunks);
    }

    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        var pa = Math.Abs(p - a);
        var pb = Math.Abs(p - b);
        var pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static uint ReadUInt32(byte[] data, int at) =>
        ((uint)data[at] << 24) | ((uint)data[at + 1] << 16) | ((uint)data[at + 2] << 8) | data[at + 3];

    private static uint Crc(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc ^ 0xFFFFFFFFu;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (var n = 0u; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}

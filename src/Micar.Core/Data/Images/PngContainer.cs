using System.Buffers.Binary;

namespace Micar.Data.Images;

/// <summary>
/// The chunk layout of a PNG file, validated in managed code before libpng sees it, and the rebuilt stream
/// handed to libpng.
/// </summary>
/// <remarks>
/// PIL ignores the colour-space chunks (<c>gAMA</c>, <c>cHRM</c>, <c>sRGB</c>, <c>iCCP</c>) when it decodes
/// pixel values, while libpng's simplified API converts gamma whenever a file declares one. To decode the
/// same bytes PIL does, the rebuilt stream keeps only the signature, <c>IHDR</c>, <c>PLTE</c>, <c>tRNS</c>
/// (on request), the <c>IDAT</c> chunks and <c>IEND</c>; the image data itself is passed through
/// untouched, CRCs included.
/// </remarks>
internal sealed class PngContainer
{
    private static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static ReadOnlySpan<byte> IendChunk => [0, 0, 0, 0, (byte)'I', (byte)'E', (byte)'N', (byte)'D', 0xAE, 0x42, 0x60, 0x82];

    private readonly List<(int Offset, int Length)> _palette = [];
    private readonly List<(int Offset, int Length)> _transparency = [];
    private readonly List<(int Offset, int Length)> _data = [];

    private PngContainer(PngHeader header) => Header = header;

    /// <summary>The validated <c>IHDR</c> fields.</summary>
    public PngHeader Header { get; }

    /// <summary>Whether the file has a <c>tRNS</c> chunk.</summary>
    public bool HasTransparencyChunk => _transparency.Count > 0;

    /// <summary>Checks the signature, the chunk framing and <c>IHDR</c>, and records where the kept chunks are.</summary>
    /// <exception cref="ImageDecodeException">The container is malformed or truncated.</exception>
    public static PngContainer Parse(ReadOnlySpan<byte> png, string name)
    {
        if (!png.StartsWith(Signature))
            throw new ImageDecodeException(name, "not a PNG file (bad signature)");
        var offset = Signature.Length;
        var header = ReadHeader(png, name, ref offset);
        var container = new PngContainer(header);
        while (offset < png.Length)
        {
            if (png.Length - offset < 8)
                throw new ImageDecodeException(name, $"PNG file is truncated: incomplete chunk header at byte {offset}");
            var length = BinaryPrimitives.ReadUInt32BigEndian(png[offset..]);
            var type = png.Slice(offset + 4, 4);
            var typeName = ChunkName(type);
            if (!IsChunkType(type))
                throw new ImageDecodeException(name, $"PNG file is corrupt: invalid chunk type {typeName} at byte {offset}");
            if (length > int.MaxValue || png.Length - offset - 12 < length)
                throw new ImageDecodeException(name,
                    $"PNG file is truncated: chunk '{typeName}' at byte {offset} declares {length} data bytes, {Math.Max(0, png.Length - offset - 12)} remain");
            var whole = (offset, (int)length + 12);
            switch (typeName)
            {
                case "IEND":
                    offset = png.Length;
                    continue;
                case "PLTE":
                    container._palette.Add(whole);
                    break;
                case "tRNS":
                    container._transparency.Add(whole);
                    break;
                case "IDAT":
                    container._data.Add(whole);
                    break;
                case "IHDR":
                    throw new ImageDecodeException(name, $"PNG file is corrupt: second IHDR chunk at byte {offset}");
                default:
                    if (char.IsAsciiLetterUpper(typeName[0]))
                        throw new ImageDecodeException(name, $"PNG file uses the unknown critical chunk '{typeName}'");
                    break;
            }
            offset += (int)length + 12;
        }
        if (container._data.Count == 0)
            throw new ImageDecodeException(name, "PNG file has no image data (no IDAT chunk); it is truncated or corrupt");
        return container;
    }

    /// <summary>
    /// The stream libpng decodes: <paramref name="header"/> as <c>IHDR</c> (normally <see cref="Header"/>;
    /// a relabelled one must describe the same scanline bytes), then <c>PLTE</c>, <c>tRNS</c> when
    /// <paramref name="keepTransparency"/>, the <c>IDAT</c> chunks and <c>IEND</c>.
    /// </summary>
    public byte[] Rebuild(ReadOnlySpan<byte> png, PngHeader header, bool keepTransparency)
    {
        var kept = new List<(int Offset, int Length)>(_palette);
        if (keepTransparency)
            kept.AddRange(_transparency);
        kept.Sort((a, b) => a.Offset.CompareTo(b.Offset));
        kept.AddRange(_data);
        var size = Signature.Length + 25 + IendChunk.Length;
        foreach (var (_, length) in kept)
            size += length;
        var stream = new byte[size];
        var span = stream.AsSpan();
        Signature.CopyTo(span);
        WriteHeader(span.Slice(Signature.Length, 25), header);
        var at = Signature.Length + 25;
        foreach (var (offset, length) in kept)
        {
            png.Slice(offset, length).CopyTo(span[at..]);
            at += length;
        }
        IendChunk.CopyTo(span[at..]);
        return stream;
    }

    private static PngHeader ReadHeader(ReadOnlySpan<byte> png, string name, ref int offset)
    {
        if (png.Length - offset < 25)
            throw new ImageDecodeException(name, "PNG file is truncated inside its IHDR chunk");
        var length = BinaryPrimitives.ReadUInt32BigEndian(png[offset..]);
        if (ChunkName(png.Slice(offset + 4, 4)) != "IHDR" || length != 13)
            throw new ImageDecodeException(name, "PNG file is corrupt: it does not start with a 13-byte IHDR chunk");
        var body = png.Slice(offset + 4, 17);
        var crc = BinaryPrimitives.ReadUInt32BigEndian(png[(offset + 21)..]);
        if (Crc32.Compute(body) != crc)
            throw new ImageDecodeException(name, "PNG file is corrupt: IHDR CRC mismatch");
        var data = body[4..];
        var width = BinaryPrimitives.ReadUInt32BigEndian(data);
        var height = BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
        int bitDepth = data[8], colorType = data[9], compression = data[10], filter = data[11], interlace = data[12];
        if (width == 0 || height == 0 || width > int.MaxValue || height > int.MaxValue)
            throw new ImageDecodeException(name, $"PNG header declares an invalid size {width}x{height}");
        var depthOk = colorType switch
        {
            PngHeader.Grey => bitDepth is 1 or 2 or 4 or 8 or 16,
            PngHeader.Palette => bitDepth is 1 or 2 or 4 or 8,
            PngHeader.Rgb or PngHeader.GreyAlpha or PngHeader.Rgba => bitDepth is 8 or 16,
            _ => false,
        };
        if (!depthOk)
            throw new ImageDecodeException(name, $"PNG header declares an invalid colour type {colorType} with bit depth {bitDepth}");
        if (compression != 0 || filter != 0 || interlace > 1)
            throw new ImageDecodeException(name,
                $"PNG header declares unknown methods (compression {compression}, filter {filter}, interlace {interlace})");
        offset += 25;
        return new PngHeader((int)width, (int)height, bitDepth, colorType, interlace == 1);
    }

    private static void WriteHeader(Span<byte> chunk, PngHeader header)
    {
        BinaryPrimitives.WriteUInt32BigEndian(chunk, 13);
        "IHDR"u8.CopyTo(chunk[4..]);
        BinaryPrimitives.WriteUInt32BigEndian(chunk[8..], (uint)header.Width);
        BinaryPrimitives.WriteUInt32BigEndian(chunk[12..], (uint)header.Height);
        chunk[16] = (byte)header.BitDepth;
        chunk[17] = (byte)header.ColorType;
        chunk[18] = 0;
        chunk[19] = 0;
        chunk[20] = header.Interlaced ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(chunk[21..], Crc32.Compute(chunk.Slice(4, 17)));
    }

    private static bool IsChunkType(ReadOnlySpan<byte> type)
    {
        foreach (var b in type)
        {
            if (!char.IsAsciiLetter((char)b))
                return false;
        }
        return true;
    }

    private static string ChunkName(ReadOnlySpan<byte> type)
    {
        Span<char> chars = stackalloc char[4];
        for (var i = 0; i < 4; i++)
            chars[i] = type[i] is >= 0x20 and < 0x7F ? (char)type[i] : '?';
        return new string(chars);
    }
}

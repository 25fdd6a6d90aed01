using System.Buffers.Binary;

namespace Micar.Data.Images;

/// <summary>
/// What the JPEG markers before the first scan say about libjpeg's memory: whether it must buffer the
/// whole image's DCT coefficients (progressive frames, and sequential frames whose first scan does not
/// hold every component) and how large that buffer is.
/// </summary>
/// <param name="Progressive">The frame is progressive (SOF2, SOF6, SOF10, SOF14).</param>
/// <param name="MultiScan">libjpeg buffers the whole image's coefficients.</param>
/// <param name="CoefficientBytes">Size of that buffer: 64 two-byte coefficients per 8×8 block, blocks padded to whole MCUs.</param>
internal readonly record struct JpegFrame(bool Progressive, bool MultiScan, long CoefficientBytes)
{
    /// <summary>Reads the markers up to the first SOS; null when no frame header precedes it or the data ends first.</summary>
    public static JpegFrame? Read(ReadOnlySpan<byte> jpeg)
    {
        var at = 2;
        int frameComponents = 0, width = 0, height = 0, hMax = 1, vMax = 1;
        var progressive = false;
        Span<(int H, int V)> sampling = stackalloc (int, int)[4];
        while (at + 1 < jpeg.Length)
        {
            if (jpeg[at] != 0xFF)
                return null;
            var marker = jpeg[at + 1];
            if (marker == 0xFF)
            {
                at++;   // fill byte
                continue;
            }
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7))
            {
                at += 2;
                continue;
            }
            if (at + 4 > jpeg.Length)
                return null;
            var length = BinaryPrimitives.ReadUInt16BigEndian(jpeg[(at + 2)..]);
            var body = jpeg.Slice(at + 4, Math.Max(0, Math.Min(length - 2, jpeg.Length - at - 4)));
            if (marker is >= 0xC0 and <= 0xCF and not (0xC4 or 0xC8 or 0xCC))
            {
                if (body.Length < 6)
                    return null;
                progressive = marker is 0xC2 or 0xC6 or 0xCA or 0xCE;
                height = BinaryPrimitives.ReadUInt16BigEndian(body[1..]);
                width = BinaryPrimitives.ReadUInt16BigEndian(body[3..]);
                frameComponents = body[5];
                if (frameComponents is < 1 or > 4 || body.Length < 6 + 3 * frameComponents)
                    return null;
                for (var c = 0; c < frameComponents; c++)
                {
                    var factors = body[6 + 3 * c + 1];
                    sampling[c] = (Math.Max(1, factors >> 4), Math.Max(1, factors & 0x0F));
                    hMax = Math.Max(hMax, sampling[c].H);
                    vMax = Math.Max(vMax, sampling[c].V);
                }
            }
            else if (marker == 0xDA)
            {
                if (frameComponents == 0 || body.Length < 1)
                    return null;
                var multiScan = progressive || body[0] < frameComponents;
                long bytes = 0;
                if (multiScan)
                {
                    long mcusWide = (width + 8L * hMax - 1) / (8L * hMax), mcusHigh = (height + 8L * vMax - 1) / (8L * vMax);
                    for (var c = 0; c < frameComponents; c++)
                        bytes += mcusWide * sampling[c].H * mcusHigh * sampling[c].V * 128;
                }
                return new JpegFrame(progressive, multiScan, bytes);
            }
            at += 2 + length;
        }
        return null;
    }
}

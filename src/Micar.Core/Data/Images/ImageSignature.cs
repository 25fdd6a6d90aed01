namespace Micar.Data.Images;

/// <summary>Identification of image files by their magic bytes.</summary>
public static class ImageSignature
{
    /// <summary>The format <paramref name="data"/> starts with.</summary>
    public static ImageFileFormat Detect(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
            return ImageFileFormat.Png;
        if (data.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
            return ImageFileFormat.Jpeg;
        return ImageFileFormat.Unknown;
    }

    /// <summary>A name for a common format Micar does not decode, or <c>null</c> when unrecognised.</summary>
    public static string? NameUnsupported(ReadOnlySpan<byte> data)
    {
        // DICOM first: its 128-byte preamble is free-form and often holds a TIFF header.
        if (IsDicom(data))
            return "DICOM";
        if (data.StartsWith("GIF87a"u8) || data.StartsWith("GIF89a"u8))
            return "GIF";
        if (data.StartsWith("BM"u8))
            return "BMP";
        if (data.StartsWith("II*\0"u8) || data.StartsWith("MM\0*"u8))
            return "TIFF";
        if (data.Length >= 12 && data.StartsWith("RIFF"u8) && data.Slice(8, 4).SequenceEqual("WEBP"u8))
            return "WebP";
        if (data.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20]) || data.StartsWith((ReadOnlySpan<byte>)[0xFF, 0x4F, 0xFF, 0x51]))
            return "JPEG 2000";
        return null;
    }

    /// <summary>
    /// Why <paramref name="data"/>, which is neither PNG nor JPEG, cannot be decoded: empty, a DICOM file (with
    /// how to convert it), another known format, or unknown bytes (the first eight in hex).
    /// </summary>
    public static string DescribeUnsupported(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
            return "the file is empty";
        if (IsDicom(data))
            return "DICOM files are not supported: convert to PNG first, e.g. with dcmj2pnm (DCMTK) or pydicom";
        if (NameUnsupported(data) is { } known)
            return $"{known} images are not supported (only PNG and JPEG)";
        return $"not a PNG or JPEG file (starts with bytes {Convert.ToHexString(data[..Math.Min(8, data.Length)])})";
    }

    /// <summary>A DICOM Part 10 file: a 128-byte preamble, then <c>DICM</c>.</summary>
    private static bool IsDicom(ReadOnlySpan<byte> data) => data.Length >= 132 && data.Slice(128, 4).SequenceEqual("DICM"u8);
}

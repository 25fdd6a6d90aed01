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
        if (data.StartsWith("GIF87a"u8) || data.StartsWith("GIF89a"u8))
            return "GIF";
        if (data.StartsWith("BM"u8))
            return "BMP";
        if (data.StartsWith("II*\0"u8) || data.StartsWith("MM\0*"u8))
            return "TIFF";
        if (data.Length >= 12 && data.StartsWith("RIFF"u8) && data.Slice(8, 4).SequenceEqual("WEBP"u8))
            return "WebP";
        if (data.Length >= 132 && data.Slice(128, 4).SequenceEqual("DICM"u8))
            return "DICOM";
        if (data.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20]) || data.StartsWith((ReadOnlySpan<byte>)[0xFF, 0x4F, 0xFF, 0x51]))
            return "JPEG 2000";
        return null;
    }
}

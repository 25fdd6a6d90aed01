namespace Micar.Data.Images;

/// <summary>Container formats recognised by their leading bytes (file extensions are never consulted).</summary>
public enum ImageFileFormat
{
    /// <summary>Not a format Micar decodes.</summary>
    Unknown,

    /// <summary>PNG: <c>89 50 4E 47 0D 0A 1A 0A</c>.</summary>
    Png,

    /// <summary>JPEG (JFIF, Exif, Adobe): <c>FF D8 FF</c>.</summary>
    Jpeg,
}

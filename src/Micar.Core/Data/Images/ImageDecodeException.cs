namespace Micar.Data.Images;

/// <summary>
/// An image file could not be decoded: it is corrupt, truncated, of an unsupported kind, or too large.
/// The message names the file and the reason.
/// </summary>
public sealed class ImageDecodeException : Exception
{
    /// <summary>Creates the exception for the file (or other source) <paramref name="fileName"/>.</summary>
    public ImageDecodeException(string fileName, string reason, Exception? innerException = null)
        : base($"Cannot decode image '{fileName}': {reason}", innerException)
    {
        FileName = fileName;
        Reason = reason;
    }

    /// <summary>The path or name of the image that failed.</summary>
    public string FileName { get; }

    /// <summary>Why decoding failed, without the file name.</summary>
    public string Reason { get; }
}

using System.Buffers.Binary;
using Micar.Data.Images;

namespace Micar.Data.Loading;

/// <summary>
/// Reading and checking a dataset's image files with one kind of failure: every problem with the file —
/// missing, unreadable, not an image, corrupt — is an <see cref="ImageDecodeException"/> naming the file, whose
/// <see cref="ImageDecodeException.Reason"/> is what <see cref="CaptionDataset.Skipped"/> lists.
/// </summary>
internal static class ImageFileCheck
{
    /// <summary>Reads and decodes <paramref name="path"/> (<see cref="ImageIO.Load"/>), mapping I/O failures to <see cref="ImageDecodeException"/>.</summary>
    public static Image Load(string path, ImageDecodeOptions options) => ImageIO.Decode(ReadFile(path), path, options);

    /// <summary>The bytes of <paramref name="path"/> (<see cref="ImageIO.ReadFile"/>), mapping I/O failures to <see cref="ImageDecodeException"/>.</summary>
    public static byte[] ReadFile(string path)
    {
        try
        {
            return ImageIO.ReadFile(path);
        }
        catch (Exception e) when (ReadFailure(path, e) is { } reason)
        {
            throw new ImageDecodeException(path, reason, e);
        }
    }

    /// <summary>What is wrong with <paramref name="path"/> as <paramref name="check"/> sees it, or null when it passes.</summary>
    public static string? Problem(string path, ImageCheck check, ImageDecodeOptions options)
    {
        try
        {
            if (check == ImageCheck.Decode)
                Load(path, options);
            else
                CheckHeader(path);
            return null;
        }
        catch (ImageDecodeException e)
        {
            return e.Reason;
        }
    }

    /// <summary>The <see cref="ImageCheck.Header"/> test on the first bytes of the file.</summary>
    private static void CheckHeader(string path)
    {
        Span<byte> head = stackalloc byte[132];
        int length;
        try
        {
            using var stream = File.OpenRead(path);
            length = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (ReadFailure(path, e) is { } reason)
        {
            throw new ImageDecodeException(path, reason, e);
        }
        head = head[..length];
        switch (ImageSignature.Detect(head))
        {
            case ImageFileFormat.Jpeg:
                return;
            case ImageFileFormat.Png:
                if (length < 24 || !head.Slice(12, 4).SequenceEqual("IHDR"u8))
                    throw new ImageDecodeException(path, "PNG file has no IHDR chunk after the signature");
                var width = BinaryPrimitives.ReadUInt32BigEndian(head.Slice(16, 4));
                var height = BinaryPrimitives.ReadUInt32BigEndian(head.Slice(20, 4));
                if (width == 0 || height == 0 || width > int.MaxValue || height > int.MaxValue)
                    throw new ImageDecodeException(path, $"PNG header gives an invalid size {width}x{height}");
                return;
            default:
                // The same explanations ImageIO gives when it cannot identify a file (DICOM with how to convert it).
                throw new ImageDecodeException(path, ImageSignature.DescribeUnsupported(head));
        }
    }

    /// <summary>The reason for an exception from reading the file, or null when it is not a read failure.</summary>
    private static string? ReadFailure(string path, Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => "file not found",
        IOException or UnauthorizedAccessException when Directory.Exists(path) => "is a directory, not a file",
        IOException or UnauthorizedAccessException => $"cannot read the file: {e.Message}",
        _ => null,
    };
}

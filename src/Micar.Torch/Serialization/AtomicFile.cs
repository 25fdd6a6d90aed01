namespace Micar.Torch.Serialization;

/// <summary>Writes a file through a temporary file in the same directory, flushed to disk and then renamed.</summary>
internal static class AtomicFile
{
    /// <summary>
    /// Calls <paramref name="write"/> on a new temporary file next to <paramref name="path"/>, flushes it to disk
    /// and renames it over <paramref name="path"/>. On any failure the temporary file is deleted and an existing
    /// file at <paramref name="path"/> is left untouched.
    /// </summary>
    public static void Write(string path, Action<FileStream> write)
    {
        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath)!;
        var temp = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 20))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, fullPath, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (IOException)
        {
            // The original exception matters more than a leftover temporary file.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

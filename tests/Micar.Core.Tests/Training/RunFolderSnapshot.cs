using System.Security.Cryptography;

namespace Micar.Tests.Training;

/// <summary>Every entry under a folder (links not followed) with its kind, length, modification time and content hash:
/// two equal snapshots mean nothing was written, created or deleted.</summary>
public static class RunFolderSnapshot
{
    public static SortedDictionary<string, string> Take(string root)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (!Directory.Exists(root)) return result;
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 };
        foreach (var path in Directory.EnumerateFileSystemEntries(root, "*", options))
        {
            var info = new FileInfo(path);
            var rel = Path.GetRelativePath(root, path);
            if (info.LinkTarget is { } target) result[rel] = "link → " + target;
            else if (Directory.Exists(path)) result[rel] = $"dir {Directory.GetLastWriteTimeUtc(path):O}";
            else result[rel] = $"file {info.Length} {info.LastWriteTimeUtc:O} {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)))}";
        }
        return result;
    }

    /// <summary>Copies a folder (files and subfolders).</summary>
    public static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var dst = Path.Combine(to, Path.GetRelativePath(from, f));
            Directory.CreateDirectory(Path.GetDirectoryName(dst)!);
            File.Copy(f, dst);
        }
    }
}

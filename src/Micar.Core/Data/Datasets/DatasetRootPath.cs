namespace Micar.Data;

/// <summary>
/// Whether an image path named by a dataset's source files stays inside the dataset root once <c>..</c> components
/// and symbolic links (of the file and of every folder on the way) are resolved.
/// </summary>
/// <remarks>The path is first normalised as <see cref="Path.GetFullPath(string)"/> does (<c>..</c> removes the
/// previous name), because that normalised path is what <see cref="Prepare"/> writes to the CSV and decodes; its
/// links are then resolved as the kernel does when the file is opened.</remarks>
internal sealed class DatasetRootPath
{
    private const int MaxLinks = 40; // as Linux's ELOOP limit
    private static readonly StringComparison PathComparison =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    private readonly string root;
    private readonly string realRoot;

    /// <summary>Resolves the root once; <paramref name="root"/> is a full path of an existing folder.</summary>
    public DatasetRootPath(string root)
    {
        this.root = root;
        string real = Resolve(root);
        realRoot = real.EndsWith(Path.DirectorySeparatorChar) ? real : real + Path.DirectorySeparatorChar;
    }

    /// <summary>Why <paramref name="path"/> (a full path) is not a usable file inside the root, or null.</summary>
    /// <param name="path">The image path as combined from the source's folder and value.</param>
    /// <param name="given">The value as the source file gives it, for the message.</param>
    public string? Problem(string path, string given)
    {
        if (given.Contains('\0')) return $"image path '{given.Replace("\0", "\\0")}' contains a NUL character";
        string real;
        try
        {
            real = Resolve(path);
        }
        catch (IOException e)
        {
            return $"image path '{given}' cannot be resolved: {e.Message}";
        }
        if (!real.StartsWith(realRoot, PathComparison))
            return $"image path '{given}' leaves the dataset root (it resolves to {real})";
        if (!File.Exists(real)) return $"image file not found: {SourceFiles.Display(root, path)}";
        return null;
    }

    /// <summary>
    /// The path with every <c>.</c>, <c>..</c> and symbolic link resolved, walking from the file-system root one
    /// component at a time (so <c>link/..</c> is the parent of the link's target, as the kernel sees it). Components
    /// that do not exist are kept as they are.
    /// </summary>
    /// <exception cref="IOException">More than 40 links on the way (a link cycle).</exception>
    internal static string Resolve(string path)
    {
        int budget = MaxLinks;
        return Resolve(Path.GetFullPath(path), ref budget);
    }

    private static string Resolve(string full, ref int budget)
    {
        string current = Path.GetPathRoot(full)!;
        var parts = full[current.Length..].Split(
            [Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
        foreach (var part in parts)
        {
            if (part == ".") continue;
            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }
            string next = Path.Join(current, part);
            string? target = LinkTarget(next);
            if (target is null)
            {
                current = next;
                continue;
            }
            if (--budget < 0) throw new IOException($"more than {MaxLinks} symbolic links on the way to '{full}' (a cycle?)");
            current = Resolve(Path.IsPathRooted(target) ? target : Path.Join(current, target), ref budget);
        }
        return current;
    }

    private static string? LinkTarget(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

namespace Micar.Data;

/// <summary>Locating the files of a raw dataset layout, with errors that say what was looked for.</summary>
internal static class SourceFiles
{
    /// <summary>The first of <paramref name="names"/> that exists under <paramref name="root"/>.</summary>
    public static string FindFile(string root, params string[] names)
    {
        foreach (var name in names)
        {
            string p = Path.Combine(root, name);
            if (File.Exists(p)) return p;
        }
        throw new FileNotFoundException(
            $"none of {string.Join(", ", names.Select(n => $"'{n}'"))} found in {root}", Path.Combine(root, names[0]));
    }

    /// <summary><c>root/images</c> when it is a folder, else <paramref name="root"/> itself (flat archives).</summary>
    public static string ImagesFolder(string root)
    {
        string images = Path.Combine(root, "images");
        return Directory.Exists(images) ? images : root;
    }

    /// <summary>Checks that <paramref name="root"/> is an existing folder.</summary>
    public static void RequireDirectory(string root, string what)
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"{what} folder not found: {root}");
    }

    /// <summary>The path of <paramref name="path"/> relative to <paramref name="root"/>, with <c>/</c> separators.</summary>
    public static string Display(string root, string path) =>
        Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');
}

using System.Text;

namespace Micar.Data;

/// <summary>
/// ROCO in the layout of the original roco-dataset repository: for each split <c>train</c>, <c>validation</c>,
/// <c>test</c> a folder (<c>&lt;split&gt;/radiology</c>, or <c>&lt;split&gt;</c> itself; also under <c>data/</c>)
/// holding <c>captions.txt</c> — lines <c>&lt;ROCO id&gt;\t&lt;caption&gt;</c> — and an <c>images/</c> folder.
/// </summary>
/// <remarks>
/// The image of an id is <c>images/&lt;id&gt;.png</c> (or <c>.jpg</c>/<c>.jpeg</c>: images exported under their
/// ROCO id, as the official preprocessor does from the Hugging Face parquet files), or else the file that the
/// repository's <c>scripts/fetch.py</c> downloads for it: <c>images/&lt;PMC id&gt;_&lt;file&gt;</c> from the id's
/// line in <c>dlinks.txt</c>. The official code reads the parquet release instead; its splits are the given
/// ones, so only the row order (file order here) and caption source can differ. Captions are cleaned with
/// <see cref="RocoCleaner"/>. A line without a tab or an id without an image makes the row bad.
/// </remarks>
internal sealed class RocoRecipe : IDatasetRecipe
{
    private static readonly (string Folder, string Split)[] SplitFolders = [("train", "train"), ("validation", "val"), ("test", "test")];

    /// <inheritdoc/>
    public string Name => "roco";

    /// <inheritdoc/>
    public IReadOnlyList<string> Aliases { get; } = [];

    /// <inheritdoc/>
    public string Description => "ROCO, roco-dataset repository layout: train|validation|test[/radiology] with captions.txt and images/ (optionally under data/)";

    /// <inheritdoc/>
    public SplitRule Split { get; } = SplitRule.Given("the train, validation and test folders, in file order");

    /// <inheritdoc/>
    public string Clean(string report) => RocoCleaner.Clean(report);

    /// <inheritdoc/>
    public SourceRead Read(string root, PrepareOptions options)
    {
        var inside = new DatasetRootPath(root);
        var parts = new List<SourceGroup>();
        foreach (var (folder, split) in SplitFolders)
        {
            string dir = FindSplitFolder(root, folder);
            parts.Add(new SourceGroup(split, ReadSplit(root, dir, inside)));
        }
        return new SourceRead(parts, []);
    }

    private static string FindSplitFolder(string root, string split)
    {
        string[] candidates =
        [
            Path.Combine(root, split, "radiology"), Path.Combine(root, split),
            Path.Combine(root, "data", split, "radiology"), Path.Combine(root, "data", split),
        ];
        foreach (var c in candidates)
            if (File.Exists(Path.Combine(c, "captions.txt"))) return c;
        throw new FileNotFoundException(
            $"ROCO {split} split: captions.txt not found in any of {string.Join(", ", candidates.Select(c => SourceFiles.Display(root, c)))} (under {root})",
            Path.Combine(candidates[0], "captions.txt"));
    }

    private List<SourceRow> ReadSplit(string root, string dir, DatasetRootPath inside)
    {
        string captions = Path.Combine(dir, "captions.txt");
        string display = SourceFiles.Display(root, captions);
        string images = Path.Combine(dir, "images");
        var downloaded = ReadDownloadNames(Path.Combine(dir, "dlinks.txt"));
        var rows = new List<SourceRow>();
        int lineNo = 0;
        foreach (var raw in File.ReadLines(captions, new UTF8Encoding(false, true)))
        {
            lineNo++;
            string line = raw.TrimEnd('\r');
            if (line.Length == 0) continue;
            string origin = $"{display} line {lineNo}";
            int tab = line.IndexOf('\t');
            if (tab < 0)
            {
                rows.Add(new SourceRow(origin, null, null, "no tab between the image id and the caption", null));
                continue;
            }
            string id = line[..tab];
            string findings = Clean(line[(tab + 1)..]);
            string? image = FindImage(images, id, downloaded);
            string? problem = image is null
                ? $"no image for '{id}' in {SourceFiles.Display(root, images)}"
                : inside.Problem(image, SourceFiles.Display(images, image));
            rows.Add(new SourceRow(origin, image, findings, problem, null));
        }
        return rows;
    }

    private static string? FindImage(string images, string id, Dictionary<string, string> downloaded)
    {
        foreach (var ext in new[] { ".png", ".jpg", ".jpeg" })
        {
            string p = Path.Combine(images, id + ext);
            if (File.Exists(p)) return p;
        }
        if (downloaded.TryGetValue(id, out var name))
        {
            string p = Path.Combine(images, name);
            if (File.Exists(p)) return p;
        }
        return null;
    }

    /// <summary>Reads <c>dlinks.txt</c> (<c>id \t wget … &lt;archive url&gt; … \t file</c>) into id → the name
    /// <c>fetch.py</c> saves: <c>&lt;archive name without .tar.gz&gt;_&lt;file&gt;</c>.</summary>
    private static Dictionary<string, string> ReadDownloadNames(string path)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(path)) return names;
        foreach (var raw in File.ReadLines(path))
        {
            var parts = raw.TrimEnd('\r').Split('\t');
            if (parts.Length < 3) continue;
            var words = parts[1].Split(' ');
            if (words.Length < 3) continue;
            string archive = words[2];
            string pmc = archive[(archive.LastIndexOf('/') + 1)..];
            if (pmc.EndsWith(".tar.gz", StringComparison.Ordinal)) pmc = pmc[..^7];
            names.TryAdd(parts[0], pmc + "_" + parts[^1].Trim());
        }
        return names;
    }
}

namespace Micar.Data;

/// <summary>
/// MM-Retinal raw layout: <c>CFP_translated_v1.csv</c>, <c>FFA_translated_v1.csv</c>, <c>OCT_translated_v1.csv</c>
/// (columns <c>Image_ID</c>, <c>en_caption</c>; <c>cn_caption</c>, and <c>is_multipic</c> for OCT, are dropped) and
/// the image folders <c>CFP/</c>, <c>FFA/</c>, <c>OCT/</c>.
/// </summary>
/// <remarks>
/// Image lookup as in the official code: the first file, walking the modality folder recursively (a folder's
/// files before its subfolders'), whose name without its last 4 characters equals the id; ids ending in
/// <c>.png</c> get no image. Names are visited in ordinal order here (Python's <c>os.walk</c> uses the file
/// system's order, so a tie between two files is unspecified there); links to folders are not followed, as in
/// <c>os.walk</c>. The path written is where the file really is
/// (the official code always writes it as directly under the modality folder). Rows without an image are removed
/// by the official <c>dropna()</c> after splitting, as are rows with a missing cell in any other kept column
/// (after concatenation, so a column only one modality has empties the other modalities' rows). Each modality is a group,
/// split with <see cref="SplitPlan.MmRetinal"/>; the splits are concatenated in the order CFP, FFA, OCT and
/// cleaned with <see cref="MmRetinalCleaner"/>. An empty <c>Image_ID</c> or <c>en_caption</c> (the official code
/// fails on it) makes the row bad.
/// </remarks>
internal sealed class MmRetinalRecipe : IDatasetRecipe
{
    private static readonly string[] Modalities = ["CFP", "FFA", "OCT"];

    /// <inheritdoc/>
    public string Name => "mmretinal";

    /// <inheritdoc/>
    public IReadOnlyList<string> Aliases { get; } = ["mmr", "mm-retinal"];

    /// <inheritdoc/>
    public string Description => "MM-Retinal: CFP_/FFA_/OCT_translated_v1.csv + image folders CFP/, FFA/, OCT/";

    /// <inheritdoc/>
    public SplitRule Split { get; } = SplitRule.Planned(SplitPlan.MmRetinal, "each modality on its own, concatenated CFP, FFA, OCT");

    /// <inheritdoc/>
    public string Clean(string report) => MmRetinalCleaner.Clean(report);

    /// <inheritdoc/>
    public SourceRead Read(string root, PrepareOptions options)
    {
        var tables = new List<(string Modality, CsvTable Table, int Id, int Caption, int[] Extra)>();
        foreach (var m in Modalities)
        {
            string path = SourceFiles.FindFile(root, $"{m}_translated_v1.csv");
            var table = CsvFormat.ReadFile(path);
            var dropped = new HashSet<string>(StringComparer.Ordinal) { "Image_ID", "en_caption", "cn_caption" };
            if (m == "OCT") dropped.Add("is_multipic");
            var extra = Enumerable.Range(0, table.Header.Count).Where(i => !dropped.Contains(table.Header[i])).ToArray();
            tables.Add((m, table, table.RequireColumn("Image_ID"), table.RequireColumn("en_caption"), extra));
        }
        var unionExtra = tables.SelectMany(t => t.Extra.Select(i => t.Table.Header[i])).Distinct(StringComparer.Ordinal).ToList();

        var groups = new List<SourceGroup>();
        var inside = new DatasetRootPath(root);
        foreach (var (modality, table, idCol, captionCol, extra) in tables)
        {
            string folder = Path.Combine(root, modality);
            SourceFiles.RequireDirectory(folder, $"MM-Retinal {modality} image");
            var index = IndexImages(folder);
            string csvName = Path.GetFileName(table.Source);
            var ownExtra = extra.Select(i => table.Header[i]).ToHashSet(StringComparer.Ordinal);
            string? absentColumn = unionExtra.FirstOrDefault(c => !ownExtra.Contains(c));

            var rows = new List<SourceRow>(table.Rows.Count);
            foreach (var row in table.Rows)
            {
                string origin = $"{csvName} line {row.Line}";
                string? id = row.Cells[idCol], caption = row.Cells[captionCol];
                string? problem = null, imagePath = null, findings = null, missing = null;
                if (PandasMissing.IsMissing(id)) problem = "column 'Image_ID' is empty";
                else if (!id!.EndsWith(".png", StringComparison.Ordinal) && index.TryGetValue(id, out var found))
                {
                    imagePath = found;
                    problem = inside.Problem(found, SourceFiles.Display(root, found));
                }
                else missing = $"no image file named '{id}' plus a 4-character extension under {modality}/";
                if (PandasMissing.IsMissing(caption)) problem ??= "column 'en_caption' is empty";
                else findings = Clean(caption!);
                missing ??= extra.Where(i => PandasMissing.IsMissing(row.Cells[i]))
                    .Select(i => $"column '{table.Header[i]}' is empty").FirstOrDefault();
                if (missing is null && absentColumn is not null) missing = $"column '{absentColumn}' exists only in another modality's CSV";
                rows.Add(new SourceRow(origin, imagePath, findings, problem, missing));
            }
            groups.Add(new SourceGroup(modality, rows));
        }
        return new SourceRead(groups, []);
    }

    /// <summary>Maps "file name without its last 4 characters" to the first such file in walk order.</summary>
    private static Dictionary<string, string> IndexImages(string folder)
    {
        var index = new Dictionary<string, string>(StringComparer.Ordinal);
        var pending = new Stack<string>();
        pending.Push(folder);
        while (pending.Count > 0)
        {
            string dir = pending.Pop();
            var files = Directory.GetFiles(dir);
            Array.Sort(files, StringComparer.Ordinal);
            foreach (var f in files)
            {
                string name = Path.GetFileName(f);
                string stem = name.Length >= 4 ? name[..^4] : "";
                index.TryAdd(stem, f);
            }
            // os.walk does not follow links to folders (followlinks=False), which also keeps a link cycle finite.
            var subdirs = Directory.GetDirectories(dir).Where(d => new DirectoryInfo(d).LinkTarget is null).ToArray();
            Array.Sort(subdirs, StringComparer.Ordinal);
            for (int i = subdirs.Length - 1; i >= 0; i--) pending.Push(subdirs[i]);
        }
        return index;
    }
}

namespace Micar.Data;

/// <summary>
/// Turns a dataset's raw layout into the standard preprocessed splits <c>train.csv</c>, <c>val.csv</c> and
/// <c>test.csv</c> (columns <c>image_id,findings</c>, see <see cref="DatasetFolder"/>), with the official cleaning
/// and splits. Each dataset is an <see cref="IDatasetRecipe"/> of <see cref="DatasetRegistry.Default"/>; this class
/// only runs a recipe.
/// </summary>
/// <remarks>
/// <para>Layouts (the <c>root</c> folder): each recipe's <see cref="IDatasetRecipe.Description"/>, and in detail its
/// file under <c>Data/Datasets/Recipes/</c>.</para>
/// <para>Split membership and order equal the official preprocessors' (scikit-learn <c>train_test_split</c>,
/// see <see cref="SplitPlan"/>); rows the official <c>dropna()</c> removes are removed after splitting and listed
/// in <see cref="PrepareResult.Dropped"/>. Bad rows — ones the official code would fail on, whose image file is
/// missing or outside the root, or (when skipping bad rows) whose image does not decode — also take part in splitting, so leaving them out never moves another row to a different split.</para>
/// <para><c>image_id</c> is written relative to <c>outDir</c> with <c>/</c> separators (see
/// <see cref="ReportCsv.ResolveImagePath"/>).</para>
/// </remarks>
public static class Prepare
{
    /// <summary>The canonical dataset names accepted by <see cref="Run(string, string, string, bool)"/>
    /// (<see cref="DatasetRegistry.Names"/> of <see cref="DatasetRegistry.Default"/>).</summary>
    public static IReadOnlyList<string> Datasets => DatasetRegistry.Default.Names;

    /// <summary>
    /// Reads the raw dataset under <paramref name="root"/>, cleans and splits it, and writes <c>train.csv</c>,
    /// <c>val.csv</c> and <c>test.csv</c> into <paramref name="outDir"/> (created if needed).
    /// </summary>
    /// <param name="dataset">A name or alias of <see cref="DatasetRegistry.Default"/> (its
    /// <see cref="DatasetRegistry.HelpText"/>), case-insensitive.</param>
    /// <param name="root">Folder of the raw layout.</param>
    /// <param name="outDir">Output folder.</param>
    /// <param name="skipBad">Leave bad rows out (listed in <see cref="PrepareResult.Skipped"/>) instead of failing;
    /// every image is then decoded (see <see cref="PrepareOptions.SkipBad"/>).</param>
    /// <exception cref="ArgumentException">Unknown dataset name; the message lists the known ones.</exception>
    /// <exception cref="DirectoryNotFoundException">The root (or a required image folder) is missing.</exception>
    /// <exception cref="FileNotFoundException">A required file is missing; the message names it.</exception>
    /// <exception cref="InvalidDataException">A file is malformed or a column is missing; the message names the file,
    /// line and column.</exception>
    /// <exception cref="PrepareException">There are bad rows and <paramref name="skipBad"/> is false; the message
    /// names them.</exception>
    public static PrepareResult Run(string dataset, string root, string outDir, bool skipBad = false) =>
        Run(dataset, root, outDir, new PrepareOptions { SkipBad = skipBad });

    /// <summary>
    /// As <see cref="Run(string, string, string, bool)"/>, with all settings. A row is bad when the official code
    /// would fail on it, when its image file is missing, or when its image path leaves <paramref name="root"/>
    /// (through <c>..</c>, an absolute path or a symbolic link of the file or of a folder on the way); with
    /// <see cref="PrepareOptions.SkipBad"/> also when the image fails <see cref="PrepareOptions.ImageCheck"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown dataset name (the message lists the known ones), or invalid
    /// <paramref name="options"/>.</exception>
    /// <exception cref="DirectoryNotFoundException">The root (or a required image folder) is missing.</exception>
    /// <exception cref="FileNotFoundException">A required file is missing; the message names it.</exception>
    /// <exception cref="InvalidDataException">A file is malformed or a column is missing; the message names the file,
    /// line and column.</exception>
    /// <exception cref="PrepareException">There are bad rows and <see cref="PrepareOptions.SkipBad"/> is false; the
    /// message names them.</exception>
    public static PrepareResult Run(string dataset, string root, string outDir, PrepareOptions options)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(outDir);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return Run(DatasetRegistry.Default.Find(dataset), root, outDir, options);
    }

    /// <summary>
    /// As <see cref="Run(string, string, string, PrepareOptions)"/>, for <paramref name="recipe"/> (a recipe of
    /// <see cref="DatasetRegistry.Default"/>, or one of your own): reads the raw layout with
    /// <see cref="IDatasetRecipe.Read"/>, splits it by <see cref="IDatasetRecipe.Split"/>, and writes the splits.
    /// </summary>
    /// <exception cref="ArgumentException">Invalid <paramref name="options"/>.</exception>
    /// <exception cref="DirectoryNotFoundException">The root (or a required image folder) is missing.</exception>
    /// <exception cref="FileNotFoundException">A required file is missing; the message names it.</exception>
    /// <exception cref="InvalidDataException">A file is malformed or a column is missing; the message names the file,
    /// line and column.</exception>
    /// <exception cref="PrepareException">There are bad rows and <see cref="PrepareOptions.SkipBad"/> is false; the
    /// message names them.</exception>
    public static PrepareResult Run(IDatasetRecipe recipe, string root, string outDir, PrepareOptions options)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(outDir);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        string name = recipe.Name;
        string fullRoot = Path.GetFullPath(root);
        SourceFiles.RequireDirectory(fullRoot, $"{name} root");

        var source = recipe.Split.Apply(recipe.Read(fullRoot, options), name);
        var bad = source.All.Where(r => r.Problem is not null).ToList();
        if (bad.Count > 0 && !options.SkipBad)
            throw new PrepareException(name, bad.Select(r => new RowIssue("", r.Origin, r.Problem!)).ToList());
        if (options.SkipBad) source = PrepareImageCheck.Apply(source, fullRoot, options);

        var folder = new DatasetFolder(Path.GetFullPath(outDir));
        Directory.CreateDirectory(folder.Root);
        var dropped = new List<RowIssue>(source.DroppedBeforeSplit);
        var skipped = new List<RowIssue>();
        int train = WriteSplit(folder, DatasetFolder.Train, source.Train, dropped, skipped);
        int val = WriteSplit(folder, DatasetFolder.Val, source.Val, dropped, skipped);
        int test = WriteSplit(folder, DatasetFolder.Test, source.Test, dropped, skipped);
        return new PrepareResult(name, folder.Root, train, val, test, dropped, skipped);
    }

    /// <summary>The canonical name of <paramref name="dataset"/>.</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the known ones.</exception>
    public static string Canonical(string dataset) => DatasetRegistry.Default.Find(dataset).Name;

    private static int WriteSplit(DatasetFolder folder, string split, IReadOnlyList<SourceRow> rows, List<RowIssue> dropped, List<RowIssue> skipped)
    {
        var records = new List<ReportRecord>(rows.Count);
        foreach (var r in rows)
        {
            if (r.Problem is not null) { skipped.Add(new RowIssue(split, r.Origin, r.Problem)); continue; }
            if (r.MissingReason is not null) { dropped.Add(new RowIssue(split, r.Origin, r.MissingReason)); continue; }
            string imageId = SourceFiles.Display(folder.Root, r.ImagePath!);
            records.Add(new ReportRecord(imageId, r.Findings!));
        }
        ReportCsv.Write(folder.SplitCsv(split), records);
        return records.Count;
    }
}

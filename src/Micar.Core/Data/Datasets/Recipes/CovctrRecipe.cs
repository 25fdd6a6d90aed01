namespace Micar.Data;

/// <summary>
/// COVCTR raw layout: <c>reports.csv</c> or <c>reports_ZH_EN.csv</c> (columns <c>image_id</c> and
/// <c>reports_En</c>; <c>findings</c>, <c>terminologies</c>, <c>COVID</c>, <c>impression</c> are dropped as in the
/// official code) and the images in <c>images/</c> or next to the CSV (as in the released archive).
/// </summary>
/// <remarks>
/// Rows are cleaned with <see cref="CovctrCleaner"/> and split with <see cref="SplitPlan.Covctr"/> (one group). Any
/// other column is kept by the official code, so a missing cell there makes its row vanish in the <c>dropna()</c> after
/// splitting; that rule is reproduced. Bad rows (empty id or report, report empty after cleaning, image file
/// missing) take part in splitting and are removed afterwards, so they never move a good row to another split.
/// </remarks>
internal sealed class CovctrRecipe : IDatasetRecipe
{
    private static readonly HashSet<string> DroppedColumns = new(StringComparer.Ordinal)
    {
        "image_id", "findings", "reports_En", "COVID", "terminologies", "impression",
    };

    /// <inheritdoc/>
    public string Name => "covctr";

    /// <inheritdoc/>
    public IReadOnlyList<string> Aliases { get; } = ["cov-ctr"];

    /// <inheritdoc/>
    public string Description => "COVID-19 CT reports: reports.csv or reports_ZH_EN.csv + images/ (or images beside the CSV)";

    /// <inheritdoc/>
    public SplitRule Split { get; } = SplitRule.Planned(SplitPlan.Covctr);

    /// <inheritdoc/>
    public string Clean(string report) => CovctrCleaner.Clean(report);

    /// <inheritdoc/>
    public SourceRead Read(string root, PrepareOptions options)
    {
        string csvPath = SourceFiles.FindFile(root, "reports.csv", "reports_ZH_EN.csv");
        string csvName = Path.GetFileName(csvPath);
        var table = CsvFormat.ReadFile(csvPath);
        int idCol = table.RequireColumn("image_id");
        int reportCol = table.RequireColumn("reports_En");
        var extra = Enumerable.Range(0, table.Header.Count).Where(i => !DroppedColumns.Contains(table.Header[i])).ToArray();
        string images = SourceFiles.ImagesFolder(root);
        var inside = new DatasetRootPath(root);

        var rows = new List<SourceRow>(table.Rows.Count);
        foreach (var row in table.Rows)
        {
            string origin = $"{csvName} line {row.Line}";
            string? id = row.Cells[idCol], report = row.Cells[reportCol];
            string? problem = null, imagePath = null, findings = null;
            if (PandasMissing.IsMissing(id)) problem = "column 'image_id' is empty";
            else
            {
                imagePath = Path.Combine(images, id!);
                problem = inside.Problem(imagePath, id!);
            }
            if (PandasMissing.IsMissing(report)) problem ??= "column 'reports_En' is empty";
            else
            {
                try { findings = Clean(report!); }
                catch (ArgumentException) { problem ??= "column 'reports_En' is empty after cleaning"; }
            }
            string? missing = extra.Where(i => PandasMissing.IsMissing(row.Cells[i]))
                .Select(i => $"column '{table.Header[i]}' is empty").FirstOrDefault();
            rows.Add(new SourceRow(origin, imagePath, findings, problem, missing));
        }
        return SourceRead.Single(Name, rows, []);
    }
}

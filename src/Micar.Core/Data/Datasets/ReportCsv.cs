namespace Micar.Data;

/// <summary>
/// The standard preprocessed split file (<c>train.csv</c>, <c>val.csv</c>, <c>test.csv</c>): a header row with
/// the columns <c>image_id</c> and <c>findings</c>, written as pandas' <c>to_csv(index=False)</c> writes it.
/// </summary>
public static class ReportCsv
{
    /// <summary>The header written: <c>image_id,findings</c>.</summary>
    public static IReadOnlyList<string> Header { get; } = [DatasetFolder.ImageIdColumn, DatasetFolder.FindingsColumn];

    /// <summary>
    /// Reads a split file. The columns <c>image_id</c> and <c>findings</c> are found by name (other columns are
    /// ignored); every row must have both (the official files never have missing cells after <c>dropna()</c>).
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">A column is missing, or a row lacks a value; the message names the
    /// file, line and column.</exception>
    public static List<ReportRecord> Read(string path)
    {
        var table = CsvFormat.ReadFile(path);
        int image = table.RequireColumn(DatasetFolder.ImageIdColumn);
        int findings = table.RequireColumn(DatasetFolder.FindingsColumn);
        var records = new List<ReportRecord>(table.Rows.Count);
        foreach (var row in table.Rows)
        {
            string? id = row.Cells[image], text = row.Cells[findings];
            if (PandasMissing.IsMissing(id))
                throw new InvalidDataException($"{path}: line {row.Line}: column '{DatasetFolder.ImageIdColumn}' is empty or missing");
            if (PandasMissing.IsMissing(text))
                throw new InvalidDataException($"{path}: line {row.Line}: column '{DatasetFolder.FindingsColumn}' is empty or missing");
            records.Add(new ReportRecord(id!, text!));
        }
        return records;
    }

    /// <summary>Writes a split file (<c>image_id,findings</c> header, <c>\n</c> line ends, UTF-8 without BOM).</summary>
    public static void Write(string path, IEnumerable<ReportRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        CsvFormat.WriteFile(path, Header, records.Select(r => (IReadOnlyList<string?>)[r.ImageId, r.Findings]));
    }

    /// <summary>
    /// The file an <c>image_id</c> refers to: an absolute path as is, a relative one resolved against the folder of
    /// the CSV file (the convention of files written by <see cref="Prepare"/>).
    /// </summary>
    public static string ResolveImagePath(string csvPath, string imageId)
    {
        ArgumentNullException.ThrowIfNull(csvPath);
        ArgumentNullException.ThrowIfNull(imageId);
        if (Path.IsPathRooted(imageId)) return imageId;
        string dir = Path.GetDirectoryName(Path.GetFullPath(csvPath)) ?? ".";
        return Path.GetFullPath(Path.Combine(dir, imageId.Replace('/', Path.DirectorySeparatorChar)));
    }
}

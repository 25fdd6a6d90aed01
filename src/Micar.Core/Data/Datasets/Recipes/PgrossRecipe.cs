using System.Text.Json;

namespace Micar.Data;

/// <summary>
/// PEIR Gross raw layout: <c>peir_gross_captions.json</c> or <c>captions.json</c>, an object
/// <c>{image file: caption}</c>, and the images in <c>images/</c> or next to the JSON file.
/// </summary>
/// <remarks>
/// As in the official code: entries in file order (a repeated key keeps its first position and its last value,
/// like a Python <c>dict</c>), null captions dropped before splitting, captions cleaned with
/// <see cref="PgrossCleaner"/>, split with <see cref="SplitPlan.Pgross"/> (one group). A caption that is not a string (the
/// official code fails on it) or a missing image file makes the row bad.
/// </remarks>
internal sealed class PgrossRecipe : IDatasetRecipe
{
    /// <inheritdoc/>
    public string Name => "pgross";

    /// <inheritdoc/>
    public IReadOnlyList<string> Aliases { get; } = ["peir-gross", "peirgross"];

    /// <inheritdoc/>
    public string Description => "PEIR Gross: peir_gross_captions.json or captions.json ({image: caption}) + images/ (or images beside it)";

    /// <inheritdoc/>
    public SplitRule Split { get; } = SplitRule.Planned(SplitPlan.Pgross);

    /// <inheritdoc/>
    public string Clean(string report) => PgrossCleaner.Clean(report);

    /// <inheritdoc/>
    public SourceRead Read(string root, PrepareOptions options)
    {
        string path = SourceFiles.FindFile(root, "peir_gross_captions.json", "captions.json");
        string name = Path.GetFileName(path);
        var members = PythonJson.ReadObjectMembers(File.ReadAllText(path), path);

        var order = new List<string>();
        var values = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var (key, value) in members)
        {
            if (!values.ContainsKey(key)) order.Add(key);
            values[key] = value;
        }

        string images = SourceFiles.ImagesFolder(root);
        var inside = new DatasetRootPath(root);
        var rows = new List<SourceRow>(order.Count);
        var dropped = new List<RowIssue>();
        foreach (var key in order)
        {
            string origin = $"{name} key \"{key}\"";
            var value = values[key];
            if (value.ValueKind == JsonValueKind.Null)
            {
                dropped.Add(new RowIssue("", origin, "caption is null (dropped before splitting, as the official dropna())"));
                continue;
            }
            string? problem = null, findings = null;
            string imagePath = Path.Combine(images, key);
            problem = inside.Problem(imagePath, key);
            if (value.ValueKind != JsonValueKind.String) problem ??= $"caption is {value.ValueKind}, not a string";
            else findings = Clean(value.GetString()!);
            rows.Add(new SourceRow(origin, imagePath, findings, problem, null));
        }
        return SourceRead.Single(Name, rows, dropped);
    }
}

using System.Text.Json;

namespace Micar.Data;

/// <summary>
/// IU X-Ray in R2Gen's layout: <c>annotation.json</c> = <c>{"train": [...], "val": [...], "test": [...]}</c> whose
/// entries have <c>id</c>, <c>report</c> and <c>image_path</c> (a list; the first image is used), and the images
/// under <c>images/</c>.
/// </summary>
/// <remarks>Splits are the given ones, in file order. Reports are cleaned with <see cref="IuXrayCleaner"/>
/// (R2Gen's <c>clean_report_iu_xray</c>). An entry without a string report, without an image path, or whose first
/// image is missing is bad.</remarks>
internal sealed class IuXrayRecipe : IDatasetRecipe
{
    /// <inheritdoc/>
    public string Name => "iuxray";

    /// <inheritdoc/>
    public IReadOnlyList<string> Aliases { get; } = ["iu_xray", "iu-xray"];

    /// <inheritdoc/>
    public string Description => "IU X-Ray in R2Gen's layout: annotation.json (train/val/test lists) + images/";

    /// <inheritdoc/>
    public SplitRule Split { get; } = SplitRule.Given("the train, val and test lists of annotation.json, in file order");

    /// <inheritdoc/>
    public string Clean(string report) => IuXrayCleaner.Clean(report);

    /// <inheritdoc/>
    public SourceRead Read(string root, PrepareOptions options)
    {
        string path = SourceFiles.FindFile(root, "annotation.json");
        var members = PythonJson.ReadObjectMembers(File.ReadAllText(path), path);
        string images = SourceFiles.ImagesFolder(root);
        var inside = new DatasetRootPath(root);
        var parts = new List<SourceGroup>();
        foreach (var split in SplitRule.GivenGroups)
        {
            var member = members.LastOrDefault(m => m.Key == split);
            if (member.Key is null)
                throw new InvalidDataException($"{path}: key \"{split}\" not found (keys: {string.Join(", ", members.Select(m => $"\"{m.Key}\""))})");
            if (member.Value.ValueKind != JsonValueKind.Array)
                throw new InvalidDataException($"{path}: \"{split}\" is {member.Value.ValueKind}, expected an array");
            var rows = new List<SourceRow>();
            int i = 0;
            foreach (var entry in member.Value.EnumerateArray())
            {
                rows.Add(ReadEntry(inside, images, $"annotation.json {split}[{i}]", entry));
                i++;
            }
            parts.Add(new SourceGroup(split, rows));
        }
        return new SourceRead(parts, []);
    }

    private SourceRow ReadEntry(DatasetRootPath inside, string images, string origin, JsonElement entry)
    {
        if (entry.ValueKind != JsonValueKind.Object)
            return new SourceRow(origin, null, null, $"entry is {entry.ValueKind}, expected an object", null);
        if (entry.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
            origin += $" (id {id.GetString()})";
        string? problem = null, image = null, findings = null;
        if (!entry.TryGetProperty("image_path", out var paths) || paths.ValueKind != JsonValueKind.Array
            || paths.GetArrayLength() == 0 || paths[0].ValueKind != JsonValueKind.String)
        {
            problem = "field 'image_path' is missing or not a non-empty list of strings";
        }
        else
        {
            string given = paths[0].GetString()!;
            image = Path.Combine(images, given);
            problem = inside.Problem(image, given);
        }
        if (!entry.TryGetProperty("report", out var report) || report.ValueKind != JsonValueKind.String)
            problem ??= "field 'report' is missing or not a string";
        else
            findings = Clean(report.GetString()!);
        return new SourceRow(origin, image, findings, problem, null);
    }
}

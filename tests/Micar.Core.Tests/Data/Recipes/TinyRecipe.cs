using Micar.Data;

namespace Micar.Tests.Data.Recipes;

/// <summary>
/// A test-only dataset, to show (and check) what adding a dataset takes: this one file, registered with
/// <see cref="DatasetRegistry.With"/> (a product dataset adds one line to <see cref="DatasetRegistry.Default"/>).
/// Raw layout: <c>notes.tsv</c>, lines <c>image file \t report</c>, images in <c>images/</c>.
/// </summary>
internal sealed class TinyRecipe(SplitRule? split = null) : IDatasetRecipe
{
    public string Name => "tiny";

    public IReadOnlyList<string> Aliases { get; } = ["tiny-notes"];

    public string Description => "test-only: notes.tsv (image \\t report) + images/";

    public SplitRule Split { get; } = split ?? SplitRule.Planned(SplitPlan.Covctr);

    public string Clean(string report) => report.Trim().ToLowerInvariant() + " .";

    public SourceRead Read(string root, PrepareOptions options)
    {
        string path = SourceFiles.FindFile(root, "notes.tsv");
        string images = Path.Combine(root, "images");
        var inside = new DatasetRootPath(root);
        var rows = new List<SourceRow>();
        int line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            var cells = text.Split('\t');
            string image = Path.Combine(images, cells[0]);
            rows.Add(new SourceRow($"notes.tsv line {line}", image, Clean(cells[1]), inside.Problem(image, cells[0]), null));
        }
        return SourceRead.Single(Name, rows, []);
    }
}

namespace Micar.Data;

/// <summary>
/// Everything that makes one dataset preparable by <see cref="Prepare"/>: its names, the official report cleaner,
/// the official split rule and the reader of its raw layout. One implementation per dataset, each in its own file
/// under <c>Data/Datasets/Recipes/</c>, listed in <see cref="DatasetRegistry.Default"/>.
/// </summary>
public interface IDatasetRecipe
{
    /// <summary>The canonical name (lower case), as reported in <see cref="PrepareResult.Dataset"/>.</summary>
    string Name { get; }

    /// <summary>Other accepted spellings (matched case-insensitively, like <see cref="Name"/>).</summary>
    IReadOnlyList<string> Aliases { get; }

    /// <summary>One line on the dataset and the raw layout <see cref="Read"/> expects.</summary>
    string Description { get; }

    /// <summary>How the rows returned by <see cref="Read"/> become train, val and test.</summary>
    SplitRule Split { get; }

    /// <summary>The official cleaning of one raw report; <see cref="Read"/> cleans every report with it.</summary>
    /// <exception cref="ArgumentException">The report is empty after cleaning (where the official code fails on that).</exception>
    string Clean(string report);

    /// <summary>
    /// Reads the raw layout under <paramref name="root"/> (a full path to an existing folder): every row with its
    /// image path (checked to be inside <paramref name="root"/>), its report cleaned by <see cref="Clean"/>, and the
    /// reason it is bad or dropped, grouped as <see cref="Split"/> expects.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">A required folder is missing.</exception>
    /// <exception cref="FileNotFoundException">A required file is missing; the message names it.</exception>
    /// <exception cref="InvalidDataException">A file is malformed or a column is missing; the message names the
    /// file, line and column.</exception>
    SourceRead Read(string root, PrepareOptions options);
}

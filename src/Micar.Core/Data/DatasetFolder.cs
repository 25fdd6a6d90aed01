namespace Micar.Data;

/// <summary>
/// The layout of a prepared dataset folder, as <see cref="Prepare"/> and the synthetic dataset writer produce it and
/// training and evaluation read it: one CSV per split (<c>train.csv</c>, <c>val.csv</c>, <c>test.csv</c>) with the
/// columns <c>image_id</c> (the image path, relative to the folder unless absolute) and <c>findings</c> (the
/// report), and for synthetic data the marker file <c>dataset.json</c>.
/// </summary>
/// <param name="root">The dataset folder.</param>
public sealed class DatasetFolder(string root)
{
    /// <summary>The training split's name.</summary>
    public const string Train = "train";

    /// <summary>The validation split's name.</summary>
    public const string Val = "val";

    /// <summary>The test split's name.</summary>
    public const string Test = "test";

    /// <summary>The column holding the image path.</summary>
    public const string ImageIdColumn = "image_id";

    /// <summary>The column holding the report.</summary>
    public const string FindingsColumn = "findings";

    /// <summary>The file that marks a synthetic dataset (and describes it), written by the synthetic dataset writer.</summary>
    public const string SyntheticMarker = "dataset.json";

    /// <summary>The splits, in the order they are written.</summary>
    public static IReadOnlyList<string> Splits { get; } = [Train, Val, Test];

    /// <summary>The layout in words, for error messages: <c>train.csv, val.csv, test.csv with image_id,findings</c>.</summary>
    public static string LayoutDescription { get; } =
        $"{string.Join(", ", Splits.Select(SplitFileName))} with {ImageIdColumn},{FindingsColumn}";

    /// <summary>The dataset folder.</summary>
    public string Root { get; } = root ?? throw new ArgumentNullException(nameof(root));

    /// <summary>The file name of a split's CSV: <c>&lt;split&gt;.csv</c>.</summary>
    public static string SplitFileName(string split)
    {
        ArgumentNullException.ThrowIfNull(split);
        return split + ".csv";
    }

    /// <summary>The path of a split's CSV in this folder: <c>&lt;root&gt;/&lt;split&gt;.csv</c>.</summary>
    public string SplitCsv(string split) => Path.Combine(Root, SplitFileName(split));

    /// <summary>The path of <see cref="SyntheticMarker"/> in this folder.</summary>
    public string SyntheticMarkerPath => Path.Combine(Root, SyntheticMarker);

    /// <summary>Whether this folder holds synthetic data (its <see cref="SyntheticMarker"/> exists), which selects
    /// the synthetic finding scores in training and evaluation.</summary>
    public bool IsSynthetic => File.Exists(SyntheticMarkerPath);
}

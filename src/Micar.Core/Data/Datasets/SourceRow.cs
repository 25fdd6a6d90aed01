namespace Micar.Data;

/// <summary>One raw row read from a dataset's source files by <see cref="IDatasetRecipe.Read"/>, cleaned, before
/// splitting.</summary>
/// <param name="Origin">Where it comes from, e.g. <c>reports.csv line 12</c>.</param>
/// <param name="ImagePath">Full path of the image file, or null.</param>
/// <param name="Findings">Cleaned report, or null.</param>
/// <param name="Problem">Why the row is bad (the official code would fail on it, or its image is missing), or null.</param>
/// <param name="MissingReason">Why the official <c>dropna()</c> after splitting removes it, or null.</param>
public sealed record SourceRow(string Origin, string? ImagePath, string? Findings, string? Problem, string? MissingReason);

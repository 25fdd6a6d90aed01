namespace Micar.Data;

/// <summary>One row of a preprocessed split: an image and its cleaned report.</summary>
/// <param name="ImageId">The image path as written in the CSV's <c>image_id</c> column (for files written by
/// <see cref="Prepare"/>: relative to the CSV's folder, <c>/</c>-separated).</param>
/// <param name="Findings">The cleaned report (<c>findings</c> column).</param>
public sealed record ReportRecord(string ImageId, string Findings);

namespace Micar.Data.Loading;

/// <summary>One image–report pair of a <see cref="CaptionDataset"/>.</summary>
/// <param name="ImagePath">The image file (already resolved; see <see cref="ReportCsv.ResolveImagePath"/>).</param>
/// <param name="Report">The cleaned report text, tokenized when the row is loaded.</param>
public sealed record CaptionRow(string ImagePath, string Report);

namespace Micar.Data.Loading;

/// <summary>A row a <see cref="CaptionDataset"/> dropped because its image is missing or cannot be decoded.</summary>
/// <param name="SourceRow">Position of the row in the input (0-based data row of the split CSV).</param>
/// <param name="ImagePath">The image file.</param>
/// <param name="Reason">Why it was dropped, e.g. <c>file not found</c> or the decoder's explanation.</param>
public sealed record SkippedRow(int SourceRow, string ImagePath, string Reason)
{
    /// <inheritdoc />
    public override string ToString() => $"row {SourceRow}: {ImagePath}: {Reason}";
}

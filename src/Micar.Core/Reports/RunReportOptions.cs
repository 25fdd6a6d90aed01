namespace Micar.Reports;

/// <summary>How <see cref="RunReport"/> treats the files its gallery refers to.</summary>
public sealed record RunReportOptions
{
    /// <summary>The defaults.</summary>
    public static RunReportOptions Default { get; } = new();

    /// <summary>
    /// Gallery images wider or taller than this are scaled down (Pillow bilinear) and re-encoded as PNG before
    /// they are embedded, to keep the report small; 0 embeds them unchanged.
    /// </summary>
    public int GalleryImageSize { get; init; } = 256;

    /// <summary>Files larger than this (after any scaling) are linked by relative path instead of embedded.</summary>
    public long MaxEmbeddedBytes { get; init; } = 4L << 20;
}

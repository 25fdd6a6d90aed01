namespace Micar.Reports;

/// <summary>One test case in the report's gallery. Paths are relative to the directory of the report file.</summary>
public sealed record GalleryItem
{
    /// <summary>The test image (PNG or JPEG).</summary>
    public required string ImagePath { get; init; }

    /// <summary>The generated report.</summary>
    public required string Generated { get; init; }

    /// <summary>The reference report, if known.</summary>
    public string? Reference { get; init; }

    /// <summary>Explanation figures to show with the case (SVG or PNG), e.g. an <c>overlays.svg</c> written by <see cref="ExplainRenderer"/>.</summary>
    public string[] ExplainFigures { get; init; } = [];

    /// <summary>An explanation page to link to (e.g. the <c>index.html</c> of <see cref="ExplainRenderer"/>), not embedded.</summary>
    public string? ExplainPage { get; init; }

    /// <summary>Why the item is shown, e.g. the findings the generated report missed and added (null: nothing).</summary>
    public string? Note { get; init; }
}

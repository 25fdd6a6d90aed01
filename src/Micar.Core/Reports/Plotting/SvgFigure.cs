using System.Text;

namespace Micar.Reports.Plotting;

/// <summary>
/// A rendered figure: its size in CSS pixels and its SVG markup without the enclosing <c>&lt;svg&gt;</c> element,
/// so that figures can be nested (<see cref="FigureGrid"/>) or written as standalone documents.
/// </summary>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="Content">Well-formed SVG elements drawing within (0, 0)–(Width, Height).</param>
public sealed record SvgFigure(double Width, double Height, string Content)
{
    /// <summary>Font stack of every figure: DejaVu Sans where present (Linux), else the platform sans-serif.</summary>
    public const string FontFamily = "DejaVu Sans, Helvetica, Arial, sans-serif";

    /// <summary>
    /// The figure as a standalone SVG document (also valid inline in HTML): an <c>&lt;svg&gt;</c> root with
    /// integer <c>width</c>/<c>height</c> attributes, a matching <c>viewBox</c> and a white background.
    /// </summary>
    public string ToSvg()
    {
        var w = SvgBuilder.Number(Math.Ceiling(Width));
        var h = SvgBuilder.Number(Math.Ceiling(Height));
        return new StringBuilder(Content.Length + 400)
            .Append("<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" ")
            .Append($"width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" ")
            .Append($"font-family=\"{FontFamily}\" font-size=\"11\" fill=\"#222222\">\n")
            .Append($"<rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>\n")
            .Append(Content)
            .Append("</svg>\n")
            .ToString();
    }

    /// <summary>Writes <see cref="ToSvg"/> to <paramref name="path"/> as UTF-8 without a byte-order mark.</summary>
    public void Save(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        File.WriteAllText(path, ToSvg(), ReportText.Utf8);
    }
}

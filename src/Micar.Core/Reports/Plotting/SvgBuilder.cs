using System.Globalization;
using System.Text;

namespace Micar.Reports.Plotting;

/// <summary>
/// Appends SVG elements to a buffer: numbers in invariant culture with at most two decimals, all text and
/// attribute values escaped with <see cref="Markup.Escape"/>. No element carries an <c>id</c>, so any number of
/// figures can be inlined into one HTML page.
/// </summary>
internal sealed class SvgBuilder
{
    private readonly StringBuilder _sb = new();

    /// <summary>A coordinate or size: rounded to two decimals, invariant culture, no negative zero.</summary>
    public static string Number(double value)
    {
        var rounded = Math.Round(value, 2, MidpointRounding.AwayFromZero);
        if (rounded == 0)
            return "0";
        return rounded.ToString("0.##", CultureInfo.InvariantCulture);
    }

    public SvgBuilder Rect(double x, double y, double width, double height, string fill, string? stroke = null, string? tooltip = null)
    {
        _sb.Append($"<rect x=\"{Number(x)}\" y=\"{Number(y)}\" width=\"{Number(width)}\" height=\"{Number(height)}\" fill=\"{fill}\"");
        if (stroke is not null)
            _sb.Append($" stroke=\"{stroke}\"");
        return CloseWithTooltip("rect", tooltip);
    }

    public SvgBuilder Line(double x1, double y1, double x2, double y2, string stroke, double width = 1, string? dash = null)
    {
        _sb.Append($"<line x1=\"{Number(x1)}\" y1=\"{Number(y1)}\" x2=\"{Number(x2)}\" y2=\"{Number(y2)}\" stroke=\"{stroke}\" stroke-width=\"{Number(width)}\"");
        if (dash is not null)
            _sb.Append($" stroke-dasharray=\"{dash}\"");
        _sb.Append("/>\n");
        return this;
    }

    public SvgBuilder Polyline(IReadOnlyList<(double X, double Y)> points, string stroke, double width, string? dash = null)
    {
        _sb.Append("<polyline fill=\"none\" stroke-linejoin=\"round\" points=\"");
        for (var i = 0; i < points.Count; i++)
        {
            if (i > 0)
                _sb.Append(' ');
            _sb.Append(Number(points[i].X)).Append(',').Append(Number(points[i].Y));
        }
        _sb.Append($"\" stroke=\"{stroke}\" stroke-width=\"{Number(width)}\"");
        if (dash is not null)
            _sb.Append($" stroke-dasharray=\"{dash}\"");
        _sb.Append("/>\n");
        return this;
    }

    public SvgBuilder Circle(double cx, double cy, double r, string fill, string? tooltip = null)
    {
        _sb.Append($"<circle cx=\"{Number(cx)}\" cy=\"{Number(cy)}\" r=\"{Number(r)}\" fill=\"{fill}\"");
        return CloseWithTooltip("circle", tooltip);
    }

    /// <summary>
    /// Text at (x, y). <paramref name="middle"/> centres it vertically on y (instead of sitting on the baseline);
    /// <paramref name="rotate"/> turns it about (x, y) in degrees, clockwise.
    /// </summary>
    public SvgBuilder Text(double x, double y, string text, TextAnchor anchor = TextAnchor.Start, double size = 11,
        bool bold = false, string? fill = null, double rotate = 0, bool middle = false, string? tooltip = null)
    {
        _sb.Append("<text");
        if (rotate != 0)
            _sb.Append($" transform=\"translate({Number(x)},{Number(y)}) rotate({Number(rotate)})\" x=\"0\" y=\"0\"");
        else
            _sb.Append($" x=\"{Number(x)}\" y=\"{Number(y)}\"");
        if (middle)
            _sb.Append(" dy=\"0.35em\"");
        if (anchor != TextAnchor.Start)
            _sb.Append(anchor == TextAnchor.Middle ? " text-anchor=\"middle\"" : " text-anchor=\"end\"");
        if (size != 11)
            _sb.Append($" font-size=\"{Number(size)}\"");
        if (bold)
            _sb.Append(" font-weight=\"bold\"");
        if (fill is not null)
            _sb.Append($" fill=\"{fill}\"");
        _sb.Append('>');
        if (tooltip is not null)
            _sb.Append("<title>").Append(Markup.Escape(tooltip)).Append("</title>");
        _sb.Append(Markup.Escape(text)).Append("</text>\n");
        return this;
    }

    /// <summary>An embedded PNG (base64 data URI), stretched to the box; <paramref name="pixelated"/> asks for no smoothing.</summary>
    public SvgBuilder Image(double x, double y, double width, double height, byte[] png, bool pixelated, string? tooltip = null)
    {
        _sb.Append($"<image x=\"{Number(x)}\" y=\"{Number(y)}\" width=\"{Number(width)}\" height=\"{Number(height)}\" preserveAspectRatio=\"none\"");
        if (pixelated)
            _sb.Append(" image-rendering=\"optimizeSpeed\" style=\"image-rendering:pixelated\"");
        _sb.Append(" xlink:href=\"data:image/png;base64,").Append(Convert.ToBase64String(png)).Append('"');
        return CloseWithTooltip("image", tooltip);
    }

    /// <summary>Opens a group with the given raw attributes (already escaped by the caller).</summary>
    public SvgBuilder OpenGroup(string attributes = "")
    {
        _sb.Append(attributes.Length == 0 ? "<g>\n" : $"<g {attributes}>\n");
        return this;
    }

    public SvgBuilder CloseGroup()
    {
        _sb.Append("</g>\n");
        return this;
    }

    /// <summary>Nests another figure at (x, y) in its own coordinate system.</summary>
    public SvgBuilder Nest(double x, double y, SvgFigure figure)
    {
        _sb.Append($"<svg x=\"{Number(x)}\" y=\"{Number(y)}\" width=\"{Number(figure.Width)}\" height=\"{Number(figure.Height)}\" ")
            .Append($"viewBox=\"0 0 {Number(figure.Width)} {Number(figure.Height)}\" overflow=\"visible\">\n")
            .Append(figure.Content)
            .Append("</svg>\n");
        return this;
    }

    public SvgFigure ToFigure(double width, double height) => new(width, height, _sb.ToString());

    private SvgBuilder CloseWithTooltip(string element, string? tooltip)
    {
        if (tooltip is null)
            _sb.Append("/>\n");
        else
            _sb.Append("><title>").Append(Markup.Escape(tooltip)).Append("</title></").Append(element).Append(">\n");
        return this;
    }
}

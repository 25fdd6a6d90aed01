using System.Text;
using Micar.Reports.Plotting;

namespace Micar.Reports;

/// <summary>
/// A self-contained HTML page (inline stylesheet, no scripts, no network) written as well-formed XML so that
/// it can be checked with an XML parser. All text goes through <see cref="Markup.Escape"/>.
/// </summary>
internal sealed class HtmlPage
{
    private const string Style = """
        body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 24px auto; max-width: 1200px; padding: 0 16px; color: #222; background: #fff; }
        h1 { font-size: 24px; margin-bottom: 4px; }
        h2 { font-size: 18px; border-bottom: 1px solid #ddd; padding-bottom: 4px; margin-top: 32px; }
        h3 { font-size: 14px; margin: 12px 0 6px; }
        p.meta { color: #666; margin-top: 0; }
        pre { background: #f6f6f6; border: 1px solid #e2e2e2; padding: 10px; overflow-x: auto; font-size: 12px; }
        table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
        th, td { border: 1px solid #d8d8d8; padding: 4px 10px; }
        th { background: #f2f2f2; text-align: left; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        .ci { color: #777; font-size: 85%; }
        .charts { display: flex; flex-wrap: wrap; gap: 16px; }
        .charts svg, figure img { max-width: 100%; height: auto; }
        figure { margin: 12px 0 20px; }
        figcaption { color: #555; font-size: 13px; margin-top: 4px; }
        .text-pair { display: grid; grid-template-columns: 110px 1fr; gap: 4px 12px; font-size: 14px; margin: 8px 0; }
        .text-pair .label { color: #666; }
        .tokens span { display: inline-block; border: 1px solid #ccc; border-radius: 4px; padding: 1px 5px; margin: 2px; font-size: 13px; }
        .tokens span small { color: #999; margin-right: 3px; }
        .card { border: 1px solid #ddd; border-radius: 6px; padding: 12px; margin: 14px 0; display: flex; gap: 16px; flex-wrap: wrap; }
        .card > img { width: 224px; height: auto; align-self: flex-start; image-rendering: auto; border: 1px solid #eee; }
        .card .body { flex: 1; min-width: 320px; }
        .card .figures img { max-width: 100%; margin-top: 8px; border: 1px solid #eee; }
        details summary { cursor: pointer; color: #345; margin: 8px 0; }
        """;

    private readonly StringBuilder _sb = new();

    public HtmlPage(string title)
    {
        _sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
            .Append("<title>").Append(Markup.Escape(title)).Append("</title>\n")
            .Append("<style>\n").Append(Style).Append("\n</style>\n</head>\n<body>\n");
    }

    /// <summary>Markup the caller built from escaped parts.</summary>
    public HtmlPage Raw(string markup)
    {
        _sb.Append(markup);
        return this;
    }

    /// <summary>An element with escaped text content and an optional class.</summary>
    public HtmlPage Element(string tag, string text, string? cssClass = null)
    {
        _sb.Append(Open(tag, cssClass)).Append(Markup.Escape(text)).Append("</").Append(tag).Append(">\n");
        return this;
    }

    /// <summary>A label/value grid row pair (e.g. "Generated" / the text).</summary>
    public HtmlPage TextPairs(IEnumerable<(string Label, string Text)> pairs)
    {
        _sb.Append("<div class=\"text-pair\">\n");
        foreach (var (label, text) in pairs)
            _sb.Append("<div class=\"label\">").Append(Markup.Escape(label)).Append("</div><div>").Append(Markup.Escape(text)).Append("</div>\n");
        _sb.Append("</div>\n");
        return this;
    }

    /// <summary>A figure with an image and a caption.</summary>
    public HtmlPage Figure(string source, string alt, string caption)
    {
        _sb.Append("<figure><img src=\"").Append(Markup.Escape(source)).Append("\" alt=\"").Append(Markup.Escape(alt)).Append("\"/>")
            .Append("<figcaption>").Append(Markup.Escape(caption)).Append("</figcaption></figure>\n");
        return this;
    }

    /// <summary>The finished document.</summary>
    public string Finish() => _sb.Append("</body>\n</html>\n").ToString();

    private static string Open(string tag, string? cssClass) =>
        cssClass is null ? $"<{tag}>" : $"<{tag} class=\"{Markup.Escape(cssClass)}\">";
}

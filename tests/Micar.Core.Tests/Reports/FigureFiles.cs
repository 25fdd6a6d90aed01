using System.Buffers.Binary;
using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using Xunit;

namespace Micar.Tests.Reports;

/// <summary>Reading back what the report code writes: SVG and HTML as XML, data URIs, PNG headers.</summary>
internal static class FigureFiles
{
    public static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    public static readonly XNamespace XLink = "http://www.w3.org/1999/xlink";

    /// <summary>Parses an SVG document (throws if it is not well-formed XML).</summary>
    public static XDocument ParseSvg(string text)
    {
        var doc = XDocument.Parse(text);
        Assert.Equal(Svg + "svg", doc.Root!.Name);
        return doc;
    }

    /// <summary>Parses a page written by HtmlPage (well-formed XML after its HTML5 doctype).</summary>
    public static XDocument ParseHtml(string text)
    {
        using var reader = XmlReader.Create(new StringReader(text), new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore });
        return XDocument.Load(reader);
    }

    /// <summary>Integer width and height attributes of the root svg element.</summary>
    public static (int Width, int Height) SvgSize(XDocument svg) =>
        (int.Parse(svg.Root!.Attribute("width")!.Value, CultureInfo.InvariantCulture),
         int.Parse(svg.Root!.Attribute("height")!.Value, CultureInfo.InvariantCulture));

    /// <summary>Width and height from the IHDR chunk, after checking the PNG signature.</summary>
    public static (int Width, int Height) PngSize(byte[] png)
    {
        Assert.True(png.Length > 24, "PNG too short");
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(png, 12, 4));
        return (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
    }

    /// <summary>Decodes a base64 data URI, checking its form; returns the MIME type and bytes.</summary>
    public static (string Mime, byte[] Bytes) DataUri(string uri)
    {
        Assert.StartsWith("data:", uri);
        var comma = uri.IndexOf(',');
        Assert.True(comma > 0, "data URI without a comma");
        var header = uri[5..comma];
        Assert.EndsWith(";base64", header);
        return (header[..^7], Convert.FromBase64String(uri[(comma + 1)..]));
    }

    /// <summary>The cell rects of a heatmap: the rects of the first crisp-edged group, in drawing order (row-major).</summary>
    public static List<XElement> CellRects(XDocument svg) =>
        svg.Descendants(Svg + "g").First(g => (string?)g.Attribute("shape-rendering") == "crispEdges").Elements(Svg + "rect").ToList();

    /// <summary>Texts of all text elements (tooltips excluded).</summary>
    public static List<string> Texts(XContainer svg) =>
        svg.Descendants(Svg + "text").Select(t => string.Concat(t.Nodes().OfType<XText>().Select(x => x.Value))).ToList();

    public static double Number(XElement e, string attribute) => double.Parse(e.Attribute(attribute)!.Value, CultureInfo.InvariantCulture);
}

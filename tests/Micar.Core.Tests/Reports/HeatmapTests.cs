using Micar.Data.Images;
using Micar.Reports.Plotting;
using Xunit;
using static Micar.Tests.Reports.FigureFiles;

namespace Micar.Tests.Reports;

public sealed class HeatmapTests
{
    private static readonly float[][] Values = [[0f, 0.25f, 1f], [0.5f, float.NaN, 0.75f]];

    [Fact]
    public void Cell_colours_are_the_values_through_the_colormap()
    {
        var map = new Heatmap { Values = Values, RowLabels = ["a", "b"], ColumnLabels = ["x", "y", "z"], Min = 0, Max = 1, CellWidth = 20, CellHeight = 10 };
        var svg = ParseSvg(map.Render().ToSvg());
        var cells = CellRects(svg);
        Assert.Equal(6, cells.Count);
        string[] expected = ["#440154", Colormap.Viridis.Map(0.25).ToHex(), "#fde725", "#21918c", "#eeeeee", Colormap.Viridis.Map(0.75).ToHex()];
        Assert.Equal(expected, cells.Select(c => c.Attribute("fill")!.Value));
        Assert.Equal("#3b528b", expected[1]);   // viridis(0.25) is an anchor
        // Row-major layout, one cell size apart.
        var x0 = Number(cells[0], "x");
        var y0 = Number(cells[0], "y");
        Assert.Equal(x0 + 40, Number(cells[2], "x"));
        Assert.Equal(y0 + 10, Number(cells[3], "y"));
        Assert.All(cells, c => Assert.Equal((20.0, 10.0), (Number(c, "width"), Number(c, "height"))));
        // Tooltips name the row, the column and the value.
        Assert.Equal("a → y: 0.25", cells[1].Element(Svg + "title")!.Value);
        Assert.Equal("b → y: none", cells[4].Element(Svg + "title")!.Value);
    }

    [Fact]
    public void Default_range_is_the_finite_data_range()
    {
        var map = new Heatmap { Values = [[2f, 4f], [float.NaN, 3f]] };
        Assert.Equal((2.0, 4.0), map.Range());
        Assert.Equal(Colormap.Viridis.Map(0.5), map.CellColor(3));
        var fills = CellRects(ParseSvg(map.Render().ToSvg())).Select(c => c.Attribute("fill")!.Value).ToArray();
        Assert.Equal(["#440154", "#fde725", "#eeeeee", "#21918c"], fills);
    }

    [Fact]
    public void Labels_are_escaped_text_and_column_labels_are_rotated()
    {
        var map = new Heatmap { Values = [[1f, 2f]], RowLabels = ["<unk>"], ColumnLabels = ["a&b", "\"q\""], Title = "T <1>" };
        var text = map.Render().ToSvg();
        Assert.Contains("&lt;unk&gt;", text);
        var svg = ParseSvg(text);
        var texts = Texts(svg);
        Assert.Contains("<unk>", texts);
        Assert.Contains("a&b", texts);
        Assert.Contains("\"q\"", texts);
        Assert.Contains("T <1>", texts);
        var rotated = svg.Descendants(Svg + "text").Where(t => ((string?)t.Attribute("transform"))?.Contains("rotate(-45)") == true).ToList();
        Assert.Equal(2, rotated.Count);
    }

    [Fact]
    public void Cell_text_and_value_format_are_written_with_contrast()
    {
        var map = new Heatmap { Values = [[0f, 1f]], Min = 0, Max = 1, ValueFormat = "0.00" };
        var svg = ParseSvg(map.Render().ToSvg());
        var cellTexts = svg.Descendants(Svg + "text").Where(t => t.Value is "0.00" or "1.00").ToList();
        Assert.Equal(["#ffffff", "#111111"], cellTexts.Select(t => t.Attribute("fill")!.Value));   // light on dark purple, dark on yellow
        var marked = new Heatmap { Values = [[0.5f, float.NaN]], CellText = [["#1", null]] };
        Assert.Contains("#1", Texts(ParseSvg(marked.Render().ToSvg())));
    }

    [Fact]
    public void Colour_bar_runs_from_min_at_the_bottom_to_max_at_the_top_with_nice_ticks()
    {
        var map = new Heatmap { Values = [[0.03f, 0.137f]] };
        var svg = ParseSvg(map.Render().ToSvg());
        var stripes = svg.Descendants(Svg + "g").Where(g => (string?)g.Attribute("shape-rendering") == "crispEdges").ElementAt(1).Elements(Svg + "rect").ToList();
        Assert.Equal(64, stripes.Count);
        Assert.Equal(Colormap.Viridis.Map(0.5 / 64).ToHex(), stripes[0].Attribute("fill")!.Value);
        Assert.True(Number(stripes[0], "y") > Number(stripes[63], "y"));
        Assert.Contains("0.05", Texts(svg));
        Assert.Contains("0.10", Texts(svg));
    }

    [Fact]
    public void Image_cells_embed_a_png_with_a_pixel_per_cell()
    {
        var map = new Heatmap { Values = Values, Min = 0, Max = 1, Cells = HeatmapCells.Image, CellWidth = 5, CellHeight = 5 };
        var svg = ParseSvg(map.Render().ToSvg());
        var image = Assert.Single(svg.Descendants(Svg + "image"));
        Assert.Equal((15.0, 10.0), (Number(image, "width"), Number(image, "height")));
        var (mime, png) = DataUri(image.Attribute(XLink + "href")!.Value);
        Assert.Equal("image/png", mime);
        Assert.Equal((3, 2), PngSize(png));
        var decoded = ImageIO.Decode(png, "heatmap");
        for (var i = 0; i < 2; i++)
            for (var j = 0; j < 3; j++)
            {
                var expected = Colormap.Viridis.Map(Values[i][j]);
                var k = (i * 3 + j) * 3;
                Assert.Equal(expected, new Rgb(decoded.Pixels[k], decoded.Pixels[k + 1], decoded.Pixels[k + 2]));
            }
    }

    [Fact]
    public void Large_maps_switch_to_an_image_automatically()
    {
        var big = Enumerable.Range(0, 60).Select(i => Enumerable.Range(0, 60).Select(j => (float)(i + j)).ToArray()).ToArray();
        Assert.Single(ParseSvg(new Heatmap { Values = big }.Render().ToSvg()).Descendants(Svg + "image"));
        var small = Enumerable.Range(0, 50).Select(i => new float[50]).ToArray();
        Assert.Empty(ParseSvg(new Heatmap { Values = small }.Render().ToSvg()).Descendants(Svg + "image"));
    }

    [Fact]
    public void Shape_errors_name_the_problem()
    {
        var ragged = Assert.Throws<ArgumentException>(() => new Heatmap { Values = [[1f, 2f], [3f]], Title = "m" }.Render());
        Assert.Contains("row 1 has 1 values, row 0 has 2", ragged.Message);
        var labels = Assert.Throws<ArgumentException>(() => new Heatmap { Values = [[1f, 2f]], ColumnLabels = ["a"] }.Render());
        Assert.Contains("2 columns but 1 column labels", labels.Message);
        Assert.Throws<ArgumentException>(() => new Heatmap { Values = [] }.Render());
        Assert.Throws<ArgumentException>(() => new Heatmap { Values = [[1f]], Min = 2, Max = 1 }.Render());
    }

    [Fact]
    public void Document_size_attributes_cover_the_figure()
    {
        var figure = new Heatmap { Values = Values, RowLabels = ["a", "b"], ColumnLabels = ["x", "y", "z"], Title = "t" }.Render();
        var (w, h) = SvgSize(ParseSvg(figure.ToSvg()));
        Assert.Equal((int)Math.Ceiling(figure.Width), w);
        Assert.Equal((int)Math.Ceiling(figure.Height), h);
        Assert.Equal($"0 0 {w} {h}", ParseSvg(figure.ToSvg()).Root!.Attribute("viewBox")!.Value);
    }
}

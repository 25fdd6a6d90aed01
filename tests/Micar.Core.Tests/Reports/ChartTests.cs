using System.Globalization;
using System.Xml.Linq;
using Micar.Reports.Plotting;
using Xunit;
using static Micar.Tests.Reports.FigureFiles;

namespace Micar.Tests.Reports;

public sealed class ChartTests
{
    private static List<(double X, double Y)> Points(XElement polyline) =>
        polyline.Attribute("points")!.Value.Split(' ')
            .Select(p => p.Split(','))
            .Select(p => (double.Parse(p[0], CultureInfo.InvariantCulture), double.Parse(p[1], CultureInfo.InvariantCulture)))
            .ToList();

    [Fact]
    public void Line_chart_maps_data_linearly_onto_nice_axes()
    {
        var chart = new LineChart
        {
            Series = [new LineSeries("train", [1, 2, 3, 4], [4.0, 3.0, 2.0, 1.5]), new LineSeries("val", [2, 4], [3.5, 2.5]) { Dashed = true }],
            Title = "Loss",
            XLabel = "epoch",
            YLabel = "loss",
            IntegerX = true,
        };
        var svg = ParseSvg(chart.Render().ToSvg());
        var lines = svg.Descendants(Svg + "polyline").ToList();
        Assert.Equal(2, lines.Count);
        Assert.Equal("6,3", lines[1].Attribute("stroke-dasharray")!.Value);
        Assert.Equal(["#1f77b4", "#ff7f0e"], lines.Select(l => l.Attribute("stroke")!.Value));
        var train = Points(lines[0]);
        Assert.Equal(4, train.Count);
        // Equal x steps give equal pixel steps; y pixels are proportional to the data (1 loss unit per tick).
        Assert.Equal(train[1].X - train[0].X, train[3].X - train[2].X, 1);
        Assert.Equal(1.5 * (train[1].Y - train[0].Y), train[3].Y - train[1].Y, 1);
        Assert.True(train[0].Y < train[3].Y);   // higher loss is higher up
        var texts = Texts(svg);
        foreach (var label in new[] { "Loss", "epoch", "loss", "train", "val", "1", "2", "3", "4" })
            Assert.Contains(label, texts);
        Assert.DoesNotContain("1.5", texts);   // integer x axis: no half-epoch ticks
        Assert.Equal(6, svg.Descendants(Svg + "circle").Count());     // markers on every point
    }

    [Fact]
    public void Gaps_break_lines_and_log_axes_skip_non_positive_values()
    {
        var gappy = new LineChart { Series = [new LineSeries("s", [1, 2, 3, 4, 5], [1, 2, double.NaN, 4, 5])] };
        Assert.Equal(2, ParseSvg(gappy.Render().ToSvg()).Descendants(Svg + "polyline").Count());

        var log = new LineChart { Series = [new LineSeries("lr", [0, 1, 2, 3], [0, 1e-4, 1e-3, 5e-4])], YScale = AxisScale.Log10 };
        var svg = ParseSvg(log.Render().ToSvg());
        var points = Points(Assert.Single(svg.Descendants(Svg + "polyline")));
        Assert.Equal(3, points.Count);
        // One decade up is the same pixel distance as 1e-4 → 1e-3; 5e-4 sits log10(5) of a decade above 1e-4.
        var decade = points[0].Y - points[1].Y;
        Assert.Equal(Math.Log10(5) * decade, points[0].Y - points[2].Y, 1);
        var texts = Texts(svg);
        Assert.Contains("1e-4", texts);
        Assert.Contains("0.001", texts);
    }

    [Fact]
    public void Reference_lines_are_dashed_and_in_the_legend()
    {
        var chart = new LineChart
        {
            Series = [new LineSeries("expert 0", [1, 2], [0.3, 0.26])],
            ReferenceLines = [new ReferenceLine(0.25, "uniform (1/4)")],
            IncludeY = [0],
        };
        var svg = ParseSvg(chart.Render().ToSvg());
        Assert.Contains("uniform (1/4)", Texts(svg));
        Assert.Contains(svg.Descendants(Svg + "line"), l => (string?)l.Attribute("stroke-dasharray") == "3,3");
        Assert.Contains("0", Texts(svg));
    }

    [Fact]
    public void Charts_without_data_say_so_and_bad_series_are_rejected()
    {
        var empty = ParseSvg(new LineChart { Series = [new LineSeries("s", [1], [double.NaN])] }.Render().ToSvg());
        Assert.Contains("no data", Texts(empty));
        var e = Assert.Throws<ArgumentException>(() => new LineChart { Series = [new LineSeries("s", [1, 2], [1])] }.Render());
        Assert.Contains("Series 0 ('s') has 2 x values but 1 y values", e.Message);
        Assert.Throws<ArgumentException>(() => new LineChart { Series = [], Width = 40, Height = 40, YLabel = "y" }.Render());
    }

    [Fact]
    public void Bar_heights_are_proportional_to_the_values()
    {
        var chart = new BarChart
        {
            Categories = ["E0", "E1", "E2"],
            Series = [new BarSeries("layer 0", [0.1, 0.2, 0.4]) { BarLabels = ["1", "2", "4"] }, new BarSeries("layer 1", [0.3, 0.3, 0.1])],
            ReferenceLines = [new ReferenceLine(1.0 / 3, "uniform")],
            Title = "Load",
        };
        var svg = ParseSvg(chart.Render().ToSvg());
        var bars = svg.Descendants(Svg + "rect").Where(r => r.Element(Svg + "title") is not null).ToList();
        Assert.Equal(6, bars.Count);
        var heights = bars.Select(b => Number(b, "height")).ToArray();   // category-major: E0 l0, E0 l1, E1 l0, ...
        Assert.Equal(2 * heights[0], heights[2], 1);
        Assert.Equal(4 * heights[0], heights[4], 1);
        Assert.Equal(3 * heights[0], heights[1], 1);
        Assert.Equal(["#1f77b4", "#ff7f0e"], bars.Take(2).Select(b => b.Attribute("fill")!.Value));
        // All bars stand on the same baseline.
        Assert.Single(bars.Select(b => Math.Round(Number(b, "y") + Number(b, "height"), 1)).Distinct());
        var texts = Texts(svg);
        foreach (var label in new[] { "E0", "E1", "E2", "1", "2", "4", "layer 0", "layer 1", "uniform", "Load" })
            Assert.Contains(label, texts);
        Assert.Equal("layer 1, E2: 0.1", bars[5].Element(Svg + "title")!.Value);
    }

    [Fact]
    public void Bar_chart_checks_its_shape()
    {
        var e = Assert.Throws<ArgumentException>(() => new BarChart { Categories = ["a", "b"], Series = [new BarSeries("s", [1])], Title = "t" }.Render());
        Assert.Contains("series 0 ('s') has 1 values for 2 categories", e.Message);
        Assert.Throws<ArgumentException>(() => new BarChart { Categories = [], Series = [] }.Render());
    }

    [Fact]
    public void Grid_places_panels_in_cells_sized_by_column_and_row()
    {
        var a = new SvgFigure(100, 50, "<rect x=\"0\" y=\"0\" width=\"1\" height=\"1\" fill=\"#000000\"/>\n");
        var b = new SvgFigure(80, 70, "");
        var c = new SvgFigure(120, 30, "");
        var grid = FigureGrid.Compose([a, b, c], 2, gap: 10);
        // columns: max(100, 120) and 80; rows: max(50, 70) and 30.
        Assert.Equal((210.0, 110.0), (grid.Width, grid.Height));
        var svg = ParseSvg(grid.ToSvg());
        var nested = svg.Root!.Elements(Svg + "svg").ToList();
        Assert.Equal([(0.0, 0.0), (130.0, 0.0), (0.0, 80.0)], nested.Select(n => (Number(n, "x"), Number(n, "y"))));
        Assert.Single(nested[0].Elements(Svg + "rect"));
        Assert.Throws<ArgumentException>(() => FigureGrid.Compose([], 1));
    }
}

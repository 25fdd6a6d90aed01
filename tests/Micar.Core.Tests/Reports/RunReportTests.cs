using System.Xml.Linq;
using Micar.Data.Images;
using Micar.Reports;
using Xunit;
using static Micar.Tests.Reports.FigureFiles;

namespace Micar.Tests.Reports;

public sealed class RunReportTests(GalleryFolder folder) : IClassFixture<GalleryFolder>
{
    private readonly TempDirectory _temp = folder.Temp;

    private static RunReportData Data() => ReportSamples.Run(
    [
        new GalleryItem
        {
            ImagePath = "images/case0.png",
            Generated = "the lungs are clear <unk> .",
            Reference = "no effusion & no pneumothorax .",
            ExplainFigures = ["explain/case 0/overlays.svg", "explain/case 0/expert_load.svg"],
            ExplainPage = "explain/case 0/index.html",
        },
    ]);

    private XDocument Write(RunReportData data, RunReportOptions? options = null)
    {
        var path = _temp.Combine($"report-{Guid.NewGuid():N}.html");
        RunReport.Write(data, path, options);
        return ParseHtml(File.ReadAllText(path));
    }

    [Fact]
    public void Charts_are_inline_svg_and_the_page_has_no_external_resources()
    {
        var html = Write(Data());
        // loss, learning rate, seconds, 4 metrics, 2 layers of expert load.
        var charts = html.Descendants(Svg + "svg").Where(s => s.Parent!.Name.LocalName == "div").ToList();
        Assert.Equal(9, charts.Count);
        Assert.All(charts, c => Assert.Matches("^[0-9]+$", c.Attribute("width")!.Value));
        var titles = charts.Select(c => c.Descendants(Svg + "text").First(t => (string?)t.Attribute("font-weight") == "bold").Value).ToArray();
        Assert.Equal(["Loss", "Learning rate", "Time per epoch", "BLEU-4", "METEOR", "ROUGE-L", "CIDEr", "Decoder layer 0", "Decoder layer 1"], titles);
        Assert.Contains("learning rate (log scale)", Texts(charts[1]));
        Assert.Empty(html.Descendants("script"));
        Assert.Empty(html.Descendants("link"));
        Assert.DoesNotContain("http://", html.ToString().Replace("http://www.w3.org/", ""));
    }

    [Fact]
    public void Gallery_files_are_embedded_as_well_formed_data_uris()
    {
        var html = Write(Data());
        var images = html.Descendants("img").Select(i => i.Attribute("src")!.Value).ToList();
        Assert.Equal(3, images.Count);
        var (mime, png) = DataUri(images[0]);
        Assert.Equal("image/png", mime);
        Assert.Equal((256, 200), PngSize(png));   // 512×400 scaled to 256 on the longer side
        Assert.Equal(ColorMode.Rgb, ImageIO.Decode(png, "gallery").Mode);
        foreach (var figure in images.Skip(1))
        {
            var (figureMime, svg) = DataUri(figure);
            Assert.Equal("image/svg+xml", figureMime);
            ParseSvg(System.Text.Encoding.UTF8.GetString(svg));
        }
        Assert.Equal(File.ReadAllBytes(_temp.Combine("explain", "case 0", "overlays.svg")), DataUri(images[1]).Bytes);
        var link = Assert.Single(html.Descendants("a"));
        Assert.Equal("explain/case%200/index.html", link.Attribute("href")!.Value);
        Assert.True(File.Exists(_temp.Combine(Uri.UnescapeDataString(link.Attribute("href")!.Value))));
    }

    [Fact]
    public void Large_files_are_linked_by_relative_path()
    {
        var html = Write(Data(), new RunReportOptions { MaxEmbeddedBytes = 0, GalleryImageSize = 0 });
        var sources = html.Descendants("img").Select(i => i.Attribute("src")!.Value).ToList();
        Assert.Equal(["images/case0.png", "explain/case%200/overlays.svg", "explain/case%200/expert_load.svg"], sources);
        Assert.All(sources, s => Assert.True(File.Exists(_temp.Combine(Uri.UnescapeDataString(s))), s));
    }

    [Fact]
    public void Text_is_escaped_and_survives_parsing()
    {
        var path = _temp.Combine("escaping.html");
        RunReport.Write(Data(), path);
        var raw = File.ReadAllText(path);
        Assert.Contains("covctr-tiny &lt;seed 1&gt; &amp; friends", raw);
        Assert.DoesNotContain("<unk>", raw.Replace("&lt;unk&gt;", ""));
        var html = ParseHtml(raw);
        Assert.Equal("covctr-tiny <seed 1> & friends", html.Descendants("h1").Single().Value);
        Assert.Equal("Run report: covctr-tiny <seed 1> & friends", html.Descendants("title").Single().Value);
        Assert.Contains("the lungs are clear <unk> .", html.Root!.Value);
        Assert.Contains("no effusion & no pneumothorax .", html.Root!.Value);
    }

    [Fact]
    public void Final_metrics_put_systems_side_by_side()
    {
        var html = Write(Data());
        var table = html.Descendants("table").First();
        Assert.Equal(["metric", "model", "baseline: most frequent report", "baseline: text only"],
            table.Element("thead")!.Descendants("th").Select(t => t.Value));
        var rows = table.Element("tbody")!.Elements("tr").Select(r => r.Elements().Select(c => c.Value).ToArray()).ToList();
        Assert.Equal(["BLEU-1", "BLEU-4", "METEOR", "ROUGE-L", "CIDEr"], rows.Select(r => r[0]));
        Assert.Equal(["METEOR", "0.1720", "0.1180", "–"], rows[2]);
        Assert.Equal(["CIDEr", "0.4480", "0.1020", "0.2150"], rows[4]);
    }

    [Fact]
    public void Summary_and_epoch_log_come_from_the_rows()
    {
        var data = Data();
        var html = Write(data);
        var best = data.Epochs.Where(e => e.ValLoss.HasValue).MinBy(e => e.ValLoss!.Value)!;
        var meta = html.Descendants("p").First(p => (string?)p.Attribute("class") == "meta").Value;
        Assert.StartsWith($"20 epochs; best validation loss {best.ValLoss!.Value:F4} at epoch {best.Epoch}; training time 00:", meta);
        var log = html.Descendants("details").Single().Element("table")!;
        Assert.Equal(20, log.Element("tbody")!.Elements("tr").Count());
        Assert.Equal(["epoch", "train loss", "val loss", "lr backbone", "lr rest", "BLEU-4", "METEOR", "ROUGE-L", "CIDEr", "seconds"],
            log.Element("thead")!.Descendants("th").Select(t => t.Value));
        Assert.Equal("–", log.Element("tbody")!.Elements("tr").First().Elements("td").ElementAt(2).Value);   // no validation in epoch 1
    }

    [Fact]
    public void Output_is_deterministic()
    {
        Assert.Equal(RunReport.Render(Data(), _temp.Path), RunReport.Render(Data(), _temp.Path));
    }

    [Fact]
    public void Bad_gallery_entries_name_the_field()
    {
        var data = Data();
        var missing = data with { Gallery = [data.Gallery[0] with { ImagePath = "images/none.png" }] };
        var e = Assert.Throws<ReportDataException>(() => RunReport.Render(missing, _temp.Path));
        Assert.Equal("Gallery[0].ImagePath", e.Field);
        Assert.Contains("none.png' does not exist", e.Message);
        var wrongType = data with { Gallery = [data.Gallery[0] with { ExplainFigures = ["explain/case 0/index.html"] }] };
        Assert.Equal("Gallery[0].ExplainFigures[0]", Assert.Throws<ReportDataException>(() => RunReport.Render(wrongType, _temp.Path)).Field);
        var absolute = data with { Gallery = [data.Gallery[0] with { ImagePath = _temp.Combine("images", "case0.png") }] };
        Assert.Contains("must be relative", Assert.Throws<ReportDataException>(() => RunReport.Render(absolute, _temp.Path)).Message);
        var ragged = data with { ExpertLoad = [data.ExpertLoad[0], data.ExpertLoad[1] with { Layers = [data.ExpertLoad[1].Layers[0]] }] };
        Assert.Equal("ExpertLoad[1].Layers", Assert.Throws<ReportDataException>(() => RunReport.Render(ragged, _temp.Path)).Field);
    }

    [Fact]
    public void Degenerate_logs_still_render()
    {
        var data = new RunReportData
        {
            RunName = "one epoch",
            Epochs = [new EpochRow { Epoch = 1, TrainLoss = double.NaN, LearningRates = new Dictionary<string, double> { ["all"] = 0 } }],
            ExpertLoad = [new ExpertLoadEpoch { Epoch = 1, Layers = [[0.5f, 0.5f]] }],
        };
        var html = Write(data);
        var charts = html.Descendants(Svg + "svg").ToList();
        Assert.Equal(4, charts.Count);   // loss, learning rate, seconds, expert load
        Assert.Contains("no data", Texts(charts[0]));
        Assert.Contains("learning rate", Texts(charts[1]));   // all zero: linear axis
        Assert.Equal("NaN", html.Descendants("details").Single().Descendants("td").ElementAt(1).Value);
    }

    [Fact]
    public void An_empty_run_still_renders()
    {
        var html = Write(new RunReportData { RunName = "nothing yet" });
        Assert.Equal("nothing yet", html.Descendants("h1").Single().Value);
        Assert.Empty(html.Descendants(Svg + "svg"));
    }
}

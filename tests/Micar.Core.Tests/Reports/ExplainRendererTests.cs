using Micar.Reports;
using Micar.Reports.Plotting;
using Xunit;
using static Micar.Tests.Reports.FigureFiles;

namespace Micar.Tests.Reports;

public sealed class ExplainRendererTests(RenderedSample rendered) : IClassFixture<RenderedSample>, IDisposable
{
    private readonly TempDirectory _temp = new();
    private ExplainData Sample => rendered.Data;

    public void Dispose() => _temp.Dispose();

    private static string[] Names(IReadOnlyList<string> files) => files.Select(Path.GetFileName).ToArray()!;

    [Fact]
    public void Default_figures_and_index_are_written_in_order()
    {
        var dir = rendered.Directory;
        var files = rendered.Files;
        Assert.Equal(
        [
            "overlays.svg", "cross_attention.svg", "self_attention_layer0.svg", "self_attention_layer1.svg",
            "routing_layer0.svg", "assignment_layer0.svg", "routing_layer1.svg", "assignment_layer1.svg",
            "expert_load.svg", "pyramid.svg", "index.html",
        ], Names(files));
        Assert.All(files, f => Assert.Equal(dir, Path.GetDirectoryName(f)));
        Assert.Equal(files.Order(StringComparer.Ordinal), System.IO.Directory.GetFiles(dir).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Per_head_and_per_layer_figures_on_request()
    {
        var files = Names(ExplainRenderer.Render(Sample, _temp.Path, new ExplainOptions { PerHead = true, PerLayerOverlays = true }));
        Assert.Equal(["overlays.svg", "overlays_layer0.svg", "overlays_layer1.svg", "cross_attention.svg",
            "cross_attention_head0.svg", "cross_attention_head1.svg", "cross_attention_head2.svg", "cross_attention_head3.svg"], files[..8]);
        Assert.Equal(17, files.Length);
    }

    [Fact]
    public void Every_figure_is_well_formed_svg_with_integer_size()
    {
        foreach (var file in rendered.Files.Where(f => f.EndsWith(".svg")))
        {
            var svg = ParseSvg(File.ReadAllText(file));
            var (w, h) = SvgSize(svg);
            Assert.InRange(w, 200, 2000);
            Assert.InRange(h, 150, 2000);
        }
    }

    [Fact]
    public void Index_shows_every_figure_and_the_text()
    {
        var files = rendered.Files;
        var html = ParseHtml(File.ReadAllText(files[^1]));
        var sources = html.Descendants("img").Select(i => i.Attribute("src")!.Value).ToList();
        Assert.Equal(Names(files)[..^1], sources);
        Assert.All(sources, s => Assert.True(File.Exists(Path.Combine(rendered.Directory, s)), s));
        var text = html.Root!.Value;
        Assert.Contains(Sample.GeneratedText, text);
        Assert.Contains(Sample.Reference!, text);
        Assert.Contains("<unk>", text);   // escaped in the file, intact after parsing
        Assert.Contains("12 generated tokens; 2 decoder layers, 4 cross-attention heads over a 7×7 image grid; 4 experts, top-2 routing", text);
    }

    [Fact]
    public void Routing_cells_are_the_router_probabilities_and_rows_are_the_tokens()
    {
        var routing = Sample.Routing[1];
        var svg = ParseSvg(rendered.Read("routing_layer1.svg"));
        var fills = CellRects(svg).Select(c => c.Attribute("fill")!.Value).ToArray();
        Assert.Equal(routing.Probabilities.SelectMany(row => row).Select(p => Colormap.Viridis.Map(p).ToHex()), fills);
        var texts = Texts(svg);
        Assert.All(ReportSamples.Tokens, t => Assert.Contains(t, texts));
        Assert.Contains(routing.Probabilities[3][2].ToString("0.00", System.Globalization.CultureInfo.InvariantCulture), texts);
    }

    [Fact]
    public void Self_attention_labels_queries_with_tokens_and_keys_with_the_decoder_input()
    {
        var defaultLabels = Texts(ParseSvg(rendered.Read("self_attention_layer0.svg")));
        Assert.Equal(2 * 5, defaultLabels.Count(t => t == "lungs"));   // rows and columns of 4 heads + mean
        Assert.DoesNotContain("<bos>", defaultLabels);

        string[] keys = ["<bos>", .. ReportSamples.Tokens[..^1]];
        ExplainRenderer.Render(Sample with { SelfAttentionKeys = keys, CrossAttention = [], Routing = [], Pyramid = [] }, _temp.Path);
        var svg = ParseSvg(File.ReadAllText(_temp.Combine("self_attention_layer1.svg")));
        var texts = Texts(svg);
        Assert.Equal(5, texts.Count(t => t == "<bos>"));
        Assert.Contains("key (decoder input)", texts);
        Assert.Equal("SelfAttentionKeys", Assert.Throws<ReportDataException>(() => (Sample with { SelfAttentionKeys = keys[..5] }).Validate()).Field);
    }

    [Fact]
    public void Assignment_colours_only_the_chosen_experts_and_marks_their_rank()
    {
        var routing = Sample.Routing[0];
        var svg = ParseSvg(rendered.Read("assignment_layer0.svg"));
        var fills = CellRects(svg).Select(c => c.Attribute("fill")!.Value).ToArray();
        for (var i = 0; i < ReportSamples.Tokens.Length; i++)
            for (var e = 0; e < ReportSamples.Experts; e++)
            {
                var chosen = routing.Chosen[i].Contains(e);
                var expected = chosen ? Colormap.Viridis.Map(routing.Probabilities[i][e]).ToHex() : Colormap.Viridis.Missing.ToHex();
                Assert.Equal(expected, fills[i * ReportSamples.Experts + e]);
            }
        var texts = Texts(svg);
        Assert.Equal(ReportSamples.Tokens.Length, texts.Count(t => t == "#1"));
        Assert.Equal(ReportSamples.Tokens.Length, texts.Count(t => t == "#2"));
    }

    [Fact]
    public void Cross_attention_is_averaged_over_the_selected_layers_and_heads()
    {
        var data = Tiny() with
        {
            Tokens = ["a"],
            CrossAttention = [[[[0.2f, 0.8f], [0.6f, 0.4f]]], [[[1f, 0f], [0f, 1f]]]],   // [layer][token][head][n]
        };
        var all = ExplainRenderer.MeanCrossAttention(data, _ => true, _ => true);
        Assert.Equal(0.45f, all[0][0], 6);
        Assert.Equal(0.55f, all[0][1], 6);
        var layer0 = ExplainRenderer.MeanCrossAttention(data, l => l == 0, _ => true);
        Assert.Equal([0.4f, 0.6f], layer0[0]);
        var head1 = ExplainRenderer.MeanCrossAttention(data, _ => true, h => h == 1);
        Assert.Equal([0.3f, 0.7f], head1[0]);

        ExplainRenderer.Render(data, _temp.Path);
        var cells = CellRects(ParseSvg(File.ReadAllText(_temp.Combine("cross_attention.svg"))));
        // First panel: layer 0, colour range [0, max 0.6].
        Assert.Equal(Colormap.Viridis.Map(0.4 / 0.6).ToHex(), cells[0].Attribute("fill")!.Value);
        Assert.Equal("#fde725", cells[1].Attribute("fill")!.Value);
    }

    [Fact]
    public void Overlay_tiles_keep_the_image_aspect_at_the_tile_size()
    {
        var data = Tiny() with { Image = ReportSamples.CtSlice(300, 200) };
        ExplainRenderer.Render(data, _temp.Path, new ExplainOptions { OverlayTileSize = 120 });
        var images = ParseSvg(File.ReadAllText(_temp.Combine("overlays.svg"))).Descendants(Svg + "image").ToList();
        Assert.Equal(data.Tokens.Length + 1, images.Count);
        Assert.All(images, i => Assert.Equal((120, 80), PngSize(DataUri(i.Attribute(XLink + "href")!.Value).Bytes)));
    }

    [Fact]
    public void Without_traces_only_the_index_is_written()
    {
        var bare = Tiny() with { CrossAttention = [], GridRows = 0, GridCols = 0 };
        Assert.Equal(["index.html"], Names(ExplainRenderer.Render(bare, _temp.Path)));
    }

    [Fact]
    public void Output_is_deterministic()
    {
        var a = rendered.Files;
        var b = ExplainRenderer.Render(ReportSamples.Explain(), _temp.Combine("again"));
        for (var i = 0; i < a.Count; i++)
            Assert.True(File.ReadAllBytes(a[i]).AsSpan().SequenceEqual(File.ReadAllBytes(b[i])), Path.GetFileName(a[i]));
    }

    [Fact]
    public void Inconsistent_data_is_rejected_with_the_field_path()
    {
        var sample = Sample;
        var shortMap = sample with { CrossAttention = [sample.CrossAttention[0], [.. sample.CrossAttention[1].Select((t, i) => i == 5 ? [t[0], t[1][..48], t[2], t[3]] : t)]] };
        var e = Assert.Throws<ReportDataException>(() => ExplainRenderer.Render(shortMap, _temp.Path));
        Assert.Equal("CrossAttention[1][5][1]", e.Field);
        Assert.Equal("CrossAttention[1][5][1]: has 48 entries, expected 49", e.Message);

        var badExpert = sample with { Routing = [sample.Routing[0] with { Chosen = [.. sample.Routing[0].Chosen.Select((c, i) => i == 2 ? new[] { c[0], 4 } : c)] }] };
        Assert.Equal("Routing[0].Chosen[2][1]", Assert.Throws<ReportDataException>(() => badExpert.Validate()).Field);

        var fewerHeads = sample with { CrossAttention = [sample.CrossAttention[0], [.. sample.CrossAttention[1].Select(t => t[..3])]] };
        Assert.Equal("CrossAttention[1][0]", Assert.Throws<ReportDataException>(() => fewerHeads.Validate()).Field);

        Assert.Equal("SelfAttention[0][0][11]", Assert.Throws<ReportDataException>(() =>
            (sample with { SelfAttention = [[[.. sample.SelfAttention[0][0][..11], new float[3]]]] }).Validate()).Field);
        Assert.Equal("Tokens", Assert.Throws<ReportDataException>(() => (sample with { Tokens = [] }).Validate()).Field);
        Assert.Equal("Image.Pixels", Assert.Throws<ReportDataException>(() =>
            (sample with { Image = sample.Image with { Width = 10 } }).Validate()).Field);
        Assert.Equal("GridRows", Assert.Throws<ReportDataException>(() => (sample with { GridRows = 0 }).Validate()).Field);
        Assert.Throws<ArgumentOutOfRangeException>(() => ExplainRenderer.Render(sample, _temp.Path, new ExplainOptions { OverlayAlpha = 2 }));
    }

    /// <summary>Three tokens, one layer, two heads over a 1×2 grid, no other traces.</summary>
    private static ExplainData Tiny() => new()
    {
        Image = ReportSamples.CtSlice(32, 32),
        Tokens = ["a", "<b>", "c"],
        GridRows = 1,
        GridCols = 2,
        CrossAttention = [[[[0.5f, 0.5f], [0.1f, 0.9f]], [[1f, 0f], [0f, 1f]], [[0.3f, 0.7f], [0.7f, 0.3f]]]],
    };
}

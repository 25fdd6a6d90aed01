using System.Globalization;
using Micar.Data.Images;
using Micar.Reports.Plotting;

namespace Micar.Reports;

/// <summary>
/// Draws an <see cref="ExplainData"/> as a directory of figures and an <c>index.html</c> that shows them with
/// the generated and reference text. Every token axis is labelled with the generated tokens.
/// </summary>
/// <remarks>
/// Files (figures whose trace part is empty are skipped):
/// <list type="bullet">
/// <item><c>overlays.svg</c>: the image and one tile per token with its cross-attention (mean over heads and layers)
/// upsampled bilinearly and alpha-blended in viridis, each map scaled to its own range. Tiles are PNG data URIs
/// inside the SVG and the captions are SVG text, so tokens in any script are labelled without a bitmap font;
/// <c>overlays_layer{l}.svg</c> per layer on request.</item>
/// <item><c>cross_attention.svg</c>: token × image-token heatmaps per layer (mean of heads) and their mean;
/// <c>cross_attention_head{h}.svg</c> per head on request.</item>
/// <item><c>self_attention_layer{l}.svg</c>: query token × key token heatmaps per head and their mean.</item>
/// <item><c>routing_layer{l}.svg</c>: token × expert router probabilities, values written in the cells.</item>
/// <item><c>assignment_layer{l}.svg</c>: token × expert grid of the chosen experts with their rank (#1 = top choice), coloured by probability.</item>
/// <item><c>expert_load.svg</c>: fraction of dispatched tokens per expert, bars per layer, counts on the bars, the uniform share dashed.</item>
/// <item><c>pyramid.svg</c>: the channel-mean feature maps, each with its own colour range.</item>
/// <item><c>index.html</c>: all of the above, referenced by relative path.</item>
/// </list>
/// </remarks>
public static class ExplainRenderer
{
    /// <summary>Writes the figures and <c>index.html</c> into <paramref name="outDir"/> (created if needed).</summary>
    /// <returns>Full paths of the files written, figures in the order listed above, <c>index.html</c> last.</returns>
    /// <exception cref="ReportDataException">The data is inconsistent (see <see cref="ExplainData.Validate"/>).</exception>
    public static IReadOnlyList<string> Render(ExplainData data, string outDir, ExplainOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(outDir);
        options ??= ExplainOptions.Default;
        options.Validate();
        data.Validate();
        Directory.CreateDirectory(outDir);

        var figures = new List<(string File, string Section, string Caption)>();
        void Save(string file, SvgFigure figure, string section, string caption)
        {
            figure.Save(Path.Combine(outDir, file));
            figures.Add((file, section, caption));
        }

        var layers = data.CrossAttention.Length;
        var heads = data.CrossAttentionHeads;
        if (layers > 0)
        {
            var image = data.Image.ToImage();
            Save("overlays.svg", Overlays(data, image, MeanCrossAttention(data, l => true, h => true), "mean of all layers and heads", options),
                "Where each token looks", $"Cross-attention of each generated token over the {data.GridRows}×{data.GridCols} image grid, mean of {layers} layer(s) × {heads} head(s), upsampled bilinearly; each map is scaled to its own range.");
            if (options.PerLayerOverlays)
                for (var l = 0; l < layers; l++)
                {
                    var layer = l;
                    Save($"overlays_layer{l}.svg", Overlays(data, image, MeanCrossAttention(data, x => x == layer, h => true), $"layer {l}, mean of heads", options),
                        "Where each token looks", $"Cross-attention of decoder layer {l} (mean of {heads} heads).");
                }
            Save("cross_attention.svg", CrossAttentionFigure(data, h => true, $"mean of {heads} heads", options),
                "Cross-attention", "Rows: generated tokens; columns: image tokens (grid row, column).");
            if (options.PerHead)
                for (var h = 0; h < heads; h++)
                {
                    var head = h;
                    Save($"cross_attention_head{h}.svg", CrossAttentionFigure(data, x => x == head, $"head {h}", options),
                        "Cross-attention", $"Head {h}.");
                }
        }
        for (var l = 0; l < data.SelfAttention.Length; l++)
            Save($"self_attention_layer{l}.svg", SelfAttentionFigure(data, l, options),
                "Self-attention", $"Decoder layer {l}: row i is the query that generated token i, columns are the keys it attends to (causal: its own position and earlier ones).");
        for (var l = 0; l < data.Routing.Length; l++)
        {
            Save($"routing_layer{l}.svg", RoutingFigure(data, l, options),
                "Expert routing", $"Decoder layer {l}: router selection probability of each expert for each token.");
            Save($"assignment_layer{l}.svg", AssignmentFigure(data, l, options),
                "Expert routing", $"Decoder layer {l}: experts each token was dispatched to (#1 = top choice), coloured by probability.");
        }
        if (data.Routing.Length > 0)
            Save("expert_load.svg", ExpertLoadFigure(data),
                "Expert routing", "Share of dispatched tokens per expert and layer (counts on the bars); dashed: uniform share.");
        if (data.Pyramid.Length > 0)
            Save("pyramid.svg", PyramidFigure(data),
                "Visual feature pyramid", "Channel-mean feature maps, each with its own colour range.");

        var indexPath = Path.Combine(outDir, "index.html");
        File.WriteAllText(indexPath, Index(data, figures), ReportText.Utf8);
        return [.. figures.Select(f => Path.Combine(outDir, f.File)), indexPath];
    }

    /// <summary>
    /// Cross-attention of each token averaged over the selected layers and heads: <c>[T][N]</c>.
    /// </summary>
    internal static float[][] MeanCrossAttention(ExplainData data, Func<int, bool> layer, Func<int, bool> head)
    {
        var t = data.Tokens.Length;
        var n = data.GridRows * data.GridCols;
        var result = new float[t][];
        for (var i = 0; i < t; i++)
        {
            var sum = new double[n];
            var count = 0;
            for (var l = 0; l < data.CrossAttention.Length; l++)
            {
                if (!layer(l))
                    continue;
                var perHead = data.CrossAttention[l][i];
                for (var h = 0; h < perHead.Length; h++)
                {
                    if (!head(h))
                        continue;
                    for (var k = 0; k < n; k++)
                        sum[k] += perHead[h][k];
                    count++;
                }
            }
            result[i] = sum.Select(s => (float)(s / count)).ToArray();
        }
        return result;
    }

    private static SvgFigure Overlays(ExplainData data, Image image, float[][] maps, string what, ExplainOptions options)
    {
        var background = RgbRaster.Fit(image, options.OverlayTileSize);
        var tiles = new List<LabelledTile> { new(background, "input image") };
        for (var i = 0; i < data.Tokens.Length; i++)
            tiles.Add(new(AttentionOverlay.Blend(background, maps[i], data.GridRows, data.GridCols, options.OverlayAlpha, Colormap.Viridis),
                $"{i}: {data.Tokens[i]}"));
        return new TileGrid
        {
            Tiles = tiles,
            Columns = options.OverlayColumns,
            Title = $"Cross-attention per generated token ({what})",
            ColorBarCaption = "attention, each map scaled from its own minimum to its own maximum",
        }.Render();
    }

    private static SvgFigure CrossAttentionFigure(ExplainData data, Func<int, bool> head, string headsText, ExplainOptions options)
    {
        var cells = Math.Max(8, options.CellSize * 3 / 4);
        var patches = Enumerable.Range(0, data.GridRows * data.GridCols)
            .Select(k => $"{k / data.GridCols},{k % data.GridCols}").ToArray();
        Heatmap Panel(float[][] values, string title) => new()
        {
            Values = values,
            RowLabels = data.Tokens,
            ColumnLabels = patches,
            Title = title,
            XLabel = $"image token (row,col) of the {data.GridRows}×{data.GridCols} grid",
            YLabel = "generated token",
            Min = 0,
            CellWidth = cells,
            CellHeight = options.CellSize,
            ColorBarLabel = "attention",
            ColumnGroup = data.GridCols,
        };
        var panels = new List<SvgFigure>();
        for (var l = 0; l < data.CrossAttention.Length; l++)
        {
            var layer = l;
            panels.Add(Panel(MeanCrossAttention(data, x => x == layer, head), $"Decoder layer {l}, {headsText}").Render());
        }
        if (data.CrossAttention.Length > 1)
            panels.Add(Panel(MeanCrossAttention(data, _ => true, head), $"Mean of {data.CrossAttention.Length} layers, {headsText}").Render());
        return FigureGrid.Compose(panels, 1, "Cross-attention: generated tokens → image tokens");
    }

    private static SvgFigure SelfAttentionFigure(ExplainData data, int layer, ExplainOptions options)
    {
        var heads = data.SelfAttention[layer];
        Heatmap Panel(float[][] values, string title) => new()
        {
            Values = values,
            RowLabels = data.Tokens,
            ColumnLabels = data.SelfAttentionKeys ?? data.Tokens,
            Title = title,
            XLabel = data.SelfAttentionKeys is null ? "key token" : "key (decoder input)",
            YLabel = "query (token generated)",
            Min = 0,
            CellWidth = options.CellSize,
            CellHeight = options.CellSize,
        };
        var panels = heads.Select((values, h) => Panel(values, $"Head {h}").Render()).ToList();
        if (heads.Length > 1)
            panels.Add(Panel(Mean(heads), $"Mean of {heads.Length} heads").Render());
        return FigureGrid.Compose(panels, Math.Min(panels.Count, 3), $"Self-attention, decoder layer {layer}");
    }

    private static SvgFigure RoutingFigure(ExplainData data, int layer, ExplainOptions options)
    {
        var routing = data.Routing[layer];
        return new Heatmap
        {
            Values = routing.Probabilities,
            RowLabels = data.Tokens,
            ColumnLabels = ExpertNames(routing.Experts),
            Title = $"Router probabilities, decoder layer {layer}",
            XLabel = "expert",
            YLabel = "generated token",
            Min = 0,
            Max = 1,
            ValueFormat = "0.00",
            CellWidth = Math.Max(options.CellSize * 2, 34),
            CellHeight = options.CellSize,
            ColorBarLabel = "probability",
        }.Render();
    }

    private static SvgFigure AssignmentFigure(ExplainData data, int layer, ExplainOptions options)
    {
        var routing = data.Routing[layer];
        var t = data.Tokens.Length;
        var values = new float[t][];
        var text = new string?[t][];
        for (var i = 0; i < t; i++)
        {
            values[i] = Enumerable.Repeat(float.NaN, routing.Experts).ToArray();
            text[i] = new string?[routing.Experts];
            for (var rank = 0; rank < routing.Chosen[i].Length; rank++)
            {
                var e = routing.Chosen[i][rank];
                if (e < 0) continue;                                              // an empty slot
                values[i][e] = routing.Probabilities[i][e];
                text[i][e] = "#" + (rank + 1).ToString(CultureInfo.InvariantCulture);
            }
        }
        return new Heatmap
        {
            Values = values,
            RowLabels = data.Tokens,
            ColumnLabels = ExpertNames(routing.Experts),
            CellText = text,
            Title = $"Experts chosen per token, decoder layer {layer}",
            XLabel = "expert (#rank of the choice)",
            YLabel = "generated token",
            Min = 0,
            Max = 1,
            CellWidth = Math.Max(options.CellSize * 2, 34),
            CellHeight = options.CellSize,
            ColorBarLabel = "router probability",
        }.Render();
    }

    private static SvgFigure ExpertLoadFigure(ExplainData data)
    {
        var experts = data.Routing.Max(r => r.Experts);
        var series = data.Routing.Select((r, l) =>
        {
            var total = r.Load.Sum(x => (double)x);
            var shares = Enumerable.Range(0, experts).Select(e => e < r.Experts && total > 0 ? r.Load[e] / total : 0).ToArray();
            var counts = Enumerable.Range(0, experts).Select(e => e < r.Experts ? r.Load[e].ToString(CultureInfo.InvariantCulture) : "").ToArray();
            return new BarSeries($"layer {l}", shares) { BarLabels = counts };
        }).ToArray();
        var uniform = data.Routing.Select(r => r.Experts).Distinct().Count() == 1
            ? new[] { new ReferenceLine(1.0 / experts, $"uniform (1/{experts})") } : [];
        return new BarChart
        {
            Categories = ExpertNames(experts),
            Series = series,
            Title = "Expert load for this report",
            XLabel = "expert",
            YLabel = "share of dispatched tokens",
            ReferenceLines = uniform,
            Width = Math.Max(420, 140 + experts * (40 + 18 * data.Routing.Length)),
            Height = 300,
        }.Render();
    }

    private static SvgFigure PyramidFigure(ExplainData data)
    {
        const double side = 168;
        var panels = data.Pyramid.Select(map =>
        {
            var h = map.Values.Length;
            var w = map.Values[0].Length;
            var cell = side / Math.Max(h, w);
            return new Heatmap
            {
                Values = map.Values,
                Title = $"{map.Name} ({h}×{w})",
                CellWidth = cell,
                CellHeight = cell,
            }.Render();
        }).ToList();
        return FigureGrid.Compose(panels, Math.Min(panels.Count, 5), "Visual feature pyramid: channel-mean maps");
    }

    private static string[] ExpertNames(int experts) =>
        Enumerable.Range(0, experts).Select(e => "E" + e.ToString(CultureInfo.InvariantCulture)).ToArray();

    private static float[][] Mean(float[][][] maps)
    {
        var rows = maps[0].Length;
        var cols = maps[0][0].Length;
        var mean = new float[rows][];
        for (var i = 0; i < rows; i++)
        {
            mean[i] = new float[cols];
            for (var j = 0; j < cols; j++)
            {
                var sum = 0.0;
                foreach (var m in maps)
                    sum += m[i][j];
                mean[i][j] = (float)(sum / maps.Length);
            }
        }
        return mean;
    }

    private static string Index(ExplainData data, List<(string File, string Section, string Caption)> figures)
    {
        var page = new HtmlPage("Explanation: " + TextMeasure.Truncate(data.GeneratedText, 60));
        page.Element("h1", "Explanation");
        var facts = new List<string> { $"{data.Tokens.Length} generated tokens" };
        if (data.CrossAttention.Length > 0)
            facts.Add($"{data.CrossAttention.Length} decoder layers, {data.CrossAttentionHeads} cross-attention heads over a {data.GridRows}×{data.GridCols} image grid");
        if (data.Routing.Length > 0)
            facts.Add(data.Routing.Any(r => r.Chosen.Any(row => row.Contains(-1)))
                ? $"{data.Routing.Max(r => r.Experts)} experts, up to {data.Routing[0].Chosen[0].Length} per token"
                : $"{data.Routing.Max(r => r.Experts)} experts, top-{data.Routing[0].Chosen[0].Length} routing");
        page.Element("p", string.Join("; ", facts), "meta");
        var pairs = new List<(string, string)> { ("Generated", data.GeneratedText) };
        if (data.Reference is not null)
            pairs.Add(("Reference", data.Reference));
        page.TextPairs(pairs);
        page.Raw("<div class=\"tokens\">");
        for (var i = 0; i < data.Tokens.Length; i++)
            page.Raw($"<span><small>{i}</small>{Markup.Escape(data.Tokens[i])}</span>");
        page.Raw("</div>\n");
        string? section = null;
        foreach (var (file, name, caption) in figures)
        {
            if (name != section)
                page.Element("h2", section = name);
            page.Figure(file, file, caption);
        }
        return page.Finish();
    }
}

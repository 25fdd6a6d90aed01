using System.Globalization;
using System.Text;
using Micar.Data.Images;
using Micar.Reports.Plotting;

namespace Micar.Reports;

/// <summary>
/// A training run as one self-contained HTML file: inline stylesheet, charts as inline SVG, gallery images and
/// explanation figures embedded as base64 data URIs (files above <see cref="RunReportOptions.MaxEmbeddedBytes"/>
/// are linked by relative path instead). Nothing is fetched from a network.
/// </summary>
/// <remarks>
/// Sections: summary and spec; loss curves (train and validation); learning rate per parameter group (log axis
/// when it spans more than a factor 20); one chart per validation metric; seconds per epoch; expert load over
/// training per decoder layer with the uniform share dashed; the final metrics table with the systems side by
/// side; the per-epoch log (collapsed); the gallery of test cases with generated and reference text and their
/// explanation figures.
/// </remarks>
public static class RunReport
{
    /// <summary>Writes the report to <paramref name="path"/>; gallery paths are resolved against its directory.</summary>
    /// <exception cref="ReportDataException">The data is inconsistent, or a gallery file is missing or of an unknown type.</exception>
    public static void Write(RunReportData data, string path, RunReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        File.WriteAllText(path, Render(data, directory, options), ReportText.Utf8);
    }

    /// <summary>The report's HTML; gallery paths are resolved against <paramref name="baseDirectory"/>.</summary>
    /// <exception cref="ReportDataException">The data is inconsistent, or a gallery file is missing or of an unknown type.</exception>
    public static string Render(RunReportData data, string baseDirectory, RunReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(baseDirectory);
        options ??= RunReportOptions.Default;
        data.Validate();

        var page = new HtmlPage("Run report: " + data.RunName);
        page.Element("h1", data.RunName);
        page.Element("p", Summary(data), "meta");
        if (data.SpecSummary.Length > 0)
        {
            page.Element("h2", "Model");
            page.Element("pre", data.SpecSummary);
        }
        if (data.Epochs.Length > 0)
        {
            page.Element("h2", "Training");
            page.Raw("<div class=\"charts\">\n");
            page.Raw(LossChart(data.Epochs, data.Steps, data.Baseline).ToSvg());
            foreach (var part in LossPartCharts(data.Epochs, data.Steps))
                page.Raw(part.ToSvg());
            if (LearningRateChart(data.Epochs) is { } lr)
                page.Raw(lr.ToSvg());
            page.Raw(SecondsChart(data.Epochs).ToSvg());
            page.Raw("</div>\n");
            var metrics = MetricCharts(data.Epochs, data.Baseline);
            if (metrics.Count > 0)
            {
                page.Element("h2", "Validation metrics");
                page.Raw("<div class=\"charts\">\n");
                foreach (var chart in metrics)
                    page.Raw(chart.ToSvg());
                page.Raw("</div>\n");
            }
        }
        if (data.ExpertLoad.Length > 0)
        {
            page.Element("h2", "Expert load over training");
            page.Raw("<div class=\"charts\">\n");
            foreach (var chart in ExpertLoadCharts(data.ExpertLoad))
                page.Raw(chart.ToSvg());
            page.Raw("</div>\n");
        }
        if (data.FinalMetrics.Length > 0)
        {
            page.Element("h2", "Final metrics");
            page.Raw(MetricsTable(data.FinalMetrics));
        }
        if (data.Epochs.Length > 0)
            page.Raw("<details><summary>Per-epoch log</summary>\n").Raw(EpochTable(data.Epochs)).Raw("</details>\n");
        if (data.Gallery.Length > 0)
        {
            page.Element("h2", "Gallery");
            var files = new GalleryFiles(baseDirectory, options);
            for (var i = 0; i < data.Gallery.Length; i++)
                page.Raw(GalleryCard(data.Gallery[i], i, files));
        }
        return page.Finish();
    }

    private static string Summary(RunReportData data)
    {
        var parts = new List<string> { $"{data.Epochs.Length} epochs" };
        var validated = data.Epochs.Where(e => e.ValLoss is { } v && double.IsFinite(v)).ToArray();
        if (validated.Length > 0)
        {
            var best = validated.MinBy(e => e.ValLoss!.Value)!;
            parts.Add($"best validation loss {Fixed(best.ValLoss!.Value, 4)} at epoch {best.Epoch}");
        }
        var seconds = data.Epochs.Sum(e => e.Seconds);
        if (seconds > 0)
            parts.Add($"training time {TimeSpan.FromSeconds(Math.Round(seconds)).ToString("c", CultureInfo.InvariantCulture)}");
        return string.Join("; ", parts);
    }

    private static SvgFigure LossChart(EpochRow[] epochs, StepRow[] steps, BaselineRun? baseline)
    {
        var series = new List<LineSeries>();
        if (steps.Length > 0)
            series.Add(new("train loss per step", steps.Select(st => st.X).ToArray(), steps.Select(st => st.Loss).ToArray()) { Color = new Rgb(180, 180, 200) });
        series.Add(new("train loss", epochs.Select(e => (double)e.Epoch).ToArray(), epochs.Select(e => e.TrainLoss).ToArray()));
        var validated = epochs.Where(e => e.ValLoss.HasValue).ToArray();
        if (validated.Length > 0)
            series.Add(new("validation loss", validated.Select(e => (double)e.Epoch).ToArray(), validated.Select(e => e.ValLoss!.Value).ToArray()));
        if (baseline?.Epochs.Where(e => e.ValLoss.HasValue).ToArray() is { Length: > 0 } other)
            series.Add(new($"validation loss ({baseline.Name})", other.Select(e => (double)e.Epoch).ToArray(), other.Select(e => e.ValLoss!.Value).ToArray()) { Dashed = true });
        if (BestMarker(epochs, e => e.ValLoss) is { } best) series.Add(best);
        return new LineChart { Series = series, Title = "Loss", XLabel = "epoch", YLabel = "loss", IntegerX = true }.Render();
    }

    /// <summary>The best epoch as one large point on a curve (null: no epoch is marked best or has the value).</summary>
    private static LineSeries? BestMarker(EpochRow[] epochs, Func<EpochRow, double?> value) =>
        epochs.LastOrDefault(e => e.Best) is { } best && value(best) is { } y && double.IsFinite(y)
            ? new LineSeries($"best epoch {best.Epoch}", [best.Epoch], [y]) { Color = new Rgb(200, 30, 30), MarkerRadius = 5 }
            : null;

    /// <summary>The two parts of the training loss apart: cross-entropy (per step when logged) and the balance value.</summary>
    private static IEnumerable<SvgFigure> LossPartCharts(EpochRow[] epochs, StepRow[] steps)
    {
        var withCe = epochs.Where(e => e.TrainCe.HasValue).ToArray();
        if (withCe.Length > 0)
        {
            var series = new List<LineSeries>();
            if (steps.Length > 0)
                series.Add(new("per step", steps.Select(st => st.X).ToArray(), steps.Select(st => st.Ce).ToArray()) { Color = new Rgb(180, 180, 200) });
            series.Add(new("epoch mean", withCe.Select(e => (double)e.Epoch).ToArray(), withCe.Select(e => e.TrainCe!.Value).ToArray()));
            yield return new LineChart { Series = series, Title = "Training cross-entropy", XLabel = "epoch", YLabel = "cross-entropy", IntegerX = true, Width = 360 }.Render();
        }
        var withBalance = epochs.Where(e => e.TrainBalance is { } b && b != 0).ToArray();
        if (withBalance.Length > 0)
            yield return new LineChart
            {
                Series = [new("balance value", withBalance.Select(e => (double)e.Epoch).ToArray(), withBalance.Select(e => e.TrainBalance!.Value).ToArray())],
                Title = "MoE balance value",
                XLabel = "epoch",
                YLabel = "Σ p̄·ln p̄ (−ln E: even load)",
                IntegerX = true,
                Width = 360,
            }.Render();
    }

    private static SvgFigure? LearningRateChart(EpochRow[] epochs)
    {
        var groups = Keys(epochs.Select(e => e.LearningRates));
        if (groups.Count == 0)
            return null;
        var series = groups.Select(g => Series(g, epochs, e => e.LearningRates)).ToArray();
        var positive = series.SelectMany(s => s.Y).Where(y => y > 0 && double.IsFinite(y)).ToArray();
        var log = positive.Length > 0 && positive.Max() / positive.Min() > 20;
        return new LineChart
        {
            Series = series,
            Title = "Learning rate",
            XLabel = "epoch",
            YLabel = log ? "learning rate (log scale)" : "learning rate",
            YScale = log ? AxisScale.Log10 : AxisScale.Linear,
            IntegerX = true,
        }.Render();
    }

    private static SvgFigure SecondsChart(EpochRow[] epochs) => new LineChart
    {
        Series = [new("seconds", epochs.Select(e => (double)e.Epoch).ToArray(), epochs.Select(e => e.Seconds).ToArray())],
        Title = "Time per epoch",
        XLabel = "epoch",
        YLabel = "seconds",
        IntegerX = true,
        IncludeY = [0],
        Width = 360,
    }.Render();

    private static List<SvgFigure> MetricCharts(EpochRow[] epochs, BaselineRun? baseline) =>
        Keys(epochs.Select(e => e.Metrics)).Select(name =>
        {
            var series = new List<LineSeries> { Series(name, epochs, e => e.Metrics) };
            if (baseline is not null && baseline.Epochs.Any(e => e.Metrics.ContainsKey(name)))
                series.Add(Series(name, baseline.Epochs, e => e.Metrics) with { Name = $"{name} ({baseline.Name})", Dashed = true });
            if (BestMarker(epochs, e => e.Metrics.TryGetValue(name, out var v) ? v : null) is { } best) series.Add(best);
            return new LineChart
            {
                Series = series,
                Title = name,
                XLabel = "epoch",
                YLabel = name,
                IntegerX = true,
                Width = 360,
                Height = 240,
            }.Render();
        }).ToList();

    private static IEnumerable<SvgFigure> ExpertLoadCharts(ExpertLoadEpoch[] load)
    {
        var layers = load[0].Layers.Length;
        var experts = load[0].Layers[0].Length;
        var x = load.Select(e => (double)e.Epoch).ToArray();
        for (var l = 0; l < layers; l++)
        {
            var layer = l;
            yield return new LineChart
            {
                Series = Enumerable.Range(0, experts)
                    .Select(e => new LineSeries($"expert {e}", x, load.Select(epoch => (double)epoch.Layers[layer][e]).ToArray())).ToArray(),
                ReferenceLines = [new ReferenceLine(1.0 / experts, $"uniform (1/{experts})")],
                Title = $"Decoder layer {l}",
                XLabel = "epoch",
                YLabel = "share of routed tokens",
                IntegerX = true,
                IncludeY = [0],
                Width = 480,
                Height = 280,
            }.Render();
        }
    }

    private static string MetricsTable(SystemMetrics[] systems)
    {
        var names = Keys(systems.Select(s => s.Values));
        var sb = new StringBuilder("<table>\n<thead><tr><th>metric</th>");
        foreach (var s in systems)
            sb.Append("<th>").Append(Markup.Escape(s.System)).Append("</th>");
        sb.Append("</tr></thead>\n<tbody>\n");
        foreach (var name in names)
        {
            sb.Append("<tr><th>").Append(Markup.Escape(name)).Append("</th>");
            foreach (var s in systems)
                sb.Append("<td class=\"num\">").Append(s.Values.TryGetValue(name, out var v) ? Fixed(v, 4) : "–")
                    .Append(s.Intervals.TryGetValue(name, out var ci) ? $" <span class=\"ci\">[{Fixed(ci.Low, 3)}, {Fixed(ci.High, 3)}]</span>" : "")
                    .Append("</td>");
            sb.Append("</tr>\n");
        }
        return sb.Append("</tbody>\n</table>\n").ToString();
    }

    private static string EpochTable(EpochRow[] epochs)
    {
        var groups = Keys(epochs.Select(e => e.LearningRates));
        var metrics = Keys(epochs.Select(e => e.Metrics));
        var sb = new StringBuilder("<table>\n<thead><tr><th>epoch</th><th>train loss</th><th>val loss</th>");
        foreach (var g in groups)
            sb.Append("<th>lr ").Append(Markup.Escape(g)).Append("</th>");
        foreach (var m in metrics)
            sb.Append("<th>").Append(Markup.Escape(m)).Append("</th>");
        sb.Append("<th>seconds</th></tr></thead>\n<tbody>\n");
        foreach (var e in epochs)
        {
            sb.Append("<tr><td class=\"num\">").Append(e.Epoch.ToString(CultureInfo.InvariantCulture)).Append("</td>")
                .Append("<td class=\"num\">").Append(Fixed(e.TrainLoss, 4)).Append("</td>")
                .Append("<td class=\"num\">").Append(e.ValLoss is { } v ? Fixed(v, 4) : "–").Append("</td>");
            foreach (var g in groups)
                sb.Append("<td class=\"num\">").Append(e.LearningRates.TryGetValue(g, out var lr) ? lr.ToString("0.###e0", CultureInfo.InvariantCulture) : "–").Append("</td>");
            foreach (var m in metrics)
                sb.Append("<td class=\"num\">").Append(e.Metrics.TryGetValue(m, out var x) ? Fixed(x, 4) : "–").Append("</td>");
            sb.Append("<td class=\"num\">").Append(Fixed(e.Seconds, 1)).Append("</td></tr>\n");
        }
        return sb.Append("</tbody>\n</table>\n").ToString();
    }

    private static string GalleryCard(GalleryItem item, int index, GalleryFiles files)
    {
        var sb = new StringBuilder("<div class=\"card\">\n");
        sb.Append("<img src=\"").Append(Markup.Escape(files.Image(item.ImagePath, $"Gallery[{index}].ImagePath")))
            .Append("\" alt=\"").Append(Markup.Escape(item.ImagePath)).Append("\"/>\n<div class=\"body\">\n")
            .Append("<h3>").Append(Markup.Escape(Path.GetFileName(item.ImagePath))).Append("</h3>\n")
            .Append("<div class=\"text-pair\"><div class=\"label\">Generated</div><div>").Append(Markup.Escape(item.Generated)).Append("</div>\n");
        if (item.Reference is not null)
            sb.Append("<div class=\"label\">Reference</div><div>").Append(Markup.Escape(item.Reference)).Append("</div>\n");
        if (item.Note is not null)
            sb.Append("<div class=\"label\">Note</div><div>").Append(Markup.Escape(item.Note)).Append("</div>\n");
        sb.Append("</div>\n");
        if (item.ExplainPage is not null)
            sb.Append("<p><a href=\"").Append(Markup.Escape(files.Link(item.ExplainPage, $"Gallery[{index}].ExplainPage")))
                .Append("\">all explanation figures</a></p>\n");
        if (item.ExplainFigures.Length > 0)
        {
            sb.Append("<div class=\"figures\">\n");
            for (var f = 0; f < item.ExplainFigures.Length; f++)
                sb.Append("<img src=\"").Append(Markup.Escape(files.Figure(item.ExplainFigures[f], $"Gallery[{index}].ExplainFigures[{f}]")))
                    .Append("\" alt=\"").Append(Markup.Escape(item.ExplainFigures[f])).Append("\"/>\n");
            sb.Append("</div>\n");
        }
        return sb.Append("</div>\n</div>\n").ToString();
    }

    /// <summary>The names used across <paramref name="maps"/>, in order of first appearance.</summary>
    private static List<string> Keys(IEnumerable<IReadOnlyDictionary<string, double>> maps)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var keys = new List<string>();
        foreach (var map in maps)
            foreach (var key in map.Keys)
                if (seen.Add(key))
                    keys.Add(key);
        return keys;
    }

    /// <summary>The values of <paramref name="name"/> over the epochs that have it.</summary>
    private static LineSeries Series(string name, EpochRow[] epochs, Func<EpochRow, IReadOnlyDictionary<string, double>> select)
    {
        var present = epochs.Where(e => select(e).ContainsKey(name)).ToArray();
        return new LineSeries(name, present.Select(e => (double)e.Epoch).ToArray(), present.Select(e => select(e)[name]).ToArray());
    }

    private static string Fixed(double value, int decimals) =>
        double.IsFinite(value) ? value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Resolves gallery paths against the report directory and embeds or links them.</summary>
    private sealed class GalleryFiles(string baseDirectory, RunReportOptions options)
    {
        /// <summary>A test image: scaled down to <see cref="RunReportOptions.GalleryImageSize"/> when larger, then embedded or linked.</summary>
        public string Image(string relative, string field)
        {
            var full = Resolve(relative, field);
            var mime = MimeType(relative, field);
            var bytes = File.ReadAllBytes(full);
            if (options.GalleryImageSize > 0 && mime is "image/png" or "image/jpeg")
            {
                var image = ImageIO.Decode(bytes, full);
                if (Math.Max(image.Width, image.Height) > options.GalleryImageSize)
                {
                    bytes = RgbRaster.Fit(image, options.GalleryImageSize).ToPng();
                    mime = "image/png";
                }
            }
            return Embed(bytes, mime, relative);
        }

        /// <summary>An explanation figure, embedded unchanged or linked.</summary>
        public string Figure(string relative, string field)
        {
            var full = Resolve(relative, field);
            var mime = MimeType(relative, field);
            return Embed(File.ReadAllBytes(full), mime, relative);
        }

        /// <summary>A page to link to (must exist).</summary>
        public string Link(string relative, string field)
        {
            Resolve(relative, field);
            return Href(relative);
        }

        private string Embed(byte[] bytes, string mime, string relative) =>
            bytes.LongLength <= options.MaxEmbeddedBytes ? $"data:{mime};base64,{Convert.ToBase64String(bytes)}" : Href(relative);

        private string Resolve(string relative, string field)
        {
            if (Path.IsPathRooted(relative))
                throw new ReportDataException(field, $"'{relative}' must be relative to the report's directory");
            var full = Path.GetFullPath(Path.Combine(baseDirectory, relative));
            if (!File.Exists(full))
                throw new ReportDataException(field, $"file '{full}' does not exist");
            return full;
        }

        private static string MimeType(string path, string field) => Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".png" => "image/png",
            ".jpg" or ".jpeg" => "image/jpeg",
            ".svg" => "image/svg+xml",
            ".gif" => "image/gif",
            ".webp" => "image/webp",
            var other => throw new ReportDataException(field, $"'{path}' has extension '{other}'; expected .png, .jpg, .jpeg, .svg, .gif or .webp"),
        };

        /// <summary>A relative URL: '/' separators, each segment percent-encoded.</summary>
        private static string Href(string relative) =>
            string.Join('/', relative.Replace('\\', '/').Split('/').Select(Uri.EscapeDataString));
    }
}

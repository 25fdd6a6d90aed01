using Micar.Decoding;
using Micar.Model;
using Micar.Reports;

namespace Micar.Training;

/// <summary>Builds the self-contained HTML report of a run: loss, learning-rate and metric curves from
/// <c>metrics.jsonl</c>, expert load over training, a metrics table (systems side by side), and a gallery of
/// images with generated vs reference reports and their explain figures.</summary>
public static class RunReportBuilder
{
    /// <summary>File name of the report inside the run folder.</summary>
    public const string ReportFile = "report.html";

    /// <summary>Writes <c>report.html</c> (and <c>explain/&lt;i&gt;/</c> for the gallery) into <paramref name="outDir"/>, by
    /// default the run folder; returns its path. In the run folder no write goes through a symbolic link
    /// (<see cref="RunFolder.PathOf"/>); the report is replaced atomically and each gallery folder is rebuilt.</summary>
    /// <param name="runDir">The run folder (with metrics.jsonl and best/); only read when <paramref name="outDir"/> is given.</param>
    /// <param name="systems">Metric rows to tabulate (e.g. the model on the test split, baselines).</param>
    /// <param name="gallery">Images to show: path, generated text, reference text.</param>
    /// <param name="explainWith">Checkpoint used to produce explain figures for the gallery (null: no figures).</param>
    /// <param name="beam">Beam width used to generate the reports that the explain figures show.</param>
    /// <param name="outDir">Where the report and its figures go (null: the run folder).</param>
    public static string Write(string runDir, IReadOnlyList<SystemMetrics> systems,
        IReadOnlyList<(string ImagePath, string Generated, string Reference)> gallery, Checkpoint.Loaded? explainWith = null, int beam = 3,
        string? outDir = null)
    {
        // Inside the run folder every path is checked for links; a separate output folder is the caller's choice.
        var target = new RunFolder(outDir ?? runDir);
        Func<string, string> pathOf = outDir is null ? target.PathOf : relative => Path.Combine(target.Root, relative);
        Directory.CreateDirectory(pathOf(""));
        var history = Trainer.ReadHistory(runDir);
        string[] groupNames = history.Count > 0 && history[0].Lr.Length == 2 ? ["vision", "rest"] : ["rest"];
        var epochs = history.Select(h => new EpochRow
        {
            Epoch = h.Epoch, TrainLoss = h.TrainLoss, ValLoss = h.ValLoss, Seconds = h.Seconds,
            LearningRates = h.Lr.Select((lr, i) => (Name: i < groupNames.Length ? groupNames[i] : $"group{i}", lr)).ToDictionary(t => t.Name, t => t.lr),
            Metrics = h.Val,
        }).ToArray();
        var load = history.Where(h => h.ExpertLoad.Length > 0)
            .Select(h => new ExpertLoadEpoch { Epoch = h.Epoch, Layers = h.ExpertLoad.Select(l => l.Select(v => (float)v).ToArray()).ToArray() }).ToArray();
        var items = new List<GalleryItem>();
        for (int i = 0; i < gallery.Count; i++)
        {
            var (path, generated, reference) = gallery[i];
            var figures = Array.Empty<string>();
            string? page = null;
            if (explainWith is not null)
            {
                pathOf(RunFolder.ExplainDir);
                var dir = pathOf($"{RunFolder.ExplainDir}/{i}");
                if (outDir is null && Directory.Exists(dir)) Directory.Delete(dir, true);   // rebuilt: no stale file or planted link
                var data = Explainer.Explain(explainWith, path, new DecodeOptions { BeamWidth = beam }, reference);
                var files = ExplainRenderer.Render(data, dir);
                figures = files.Where(f => Path.GetFileName(f) is "overlays.svg" or "routing_layer0.svg" or "expert_load.svg")
                    .Select(f => Path.GetRelativePath(target.Root, f)).ToArray();
                page = Path.GetRelativePath(target.Root, files.First(f => f.EndsWith("index.html")));
            }
            items.Add(new GalleryItem
            {
                ImagePath = Path.GetRelativePath(target.Root, path), Generated = generated, Reference = reference,
                ExplainFigures = figures, ExplainPage = page,
            });
        }
        var specFile = Path.Combine(runDir, "spec.json");
        var data2 = new RunReportData
        {
            RunName = Path.GetFileName(Path.GetFullPath(runDir).TrimEnd(Path.DirectorySeparatorChar)),
            SpecSummary = File.Exists(specFile) ? Spec.SpecSerializer.Load(specFile).Describe().ToText(1) : "",
            Epochs = epochs,
            ExpertLoad = load,
            FinalMetrics = [.. systems],
            Gallery = [.. items],
        };
        var report = pathOf(ReportFile);
        var tmp = pathOf(ReportFile + ".tmp");
        File.Delete(tmp);
        RunReport.Write(data2, tmp);
        File.Move(tmp, report, overwrite: true);
        return report;
    }

    /// <summary>Gallery entries from an evaluation: the first <paramref name="count"/> images.</summary>
    public static List<(string, string, string)> GalleryOf(EvalResult eval, string dataDir, int count = 4) =>
        Enumerable.Range(0, Math.Min(count, eval.Predictions.Length))
            .Select(i => (Path.Combine(dataDir, eval.ImageIds[i]), eval.Predictions[i], eval.References[i])).ToList();
}

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
    /// <param name="baseline">Another run drawn over this one's validation curves (its name and folder), e.g. the text-only
    /// baseline of <c>micar demo</c>; null: none.</param>
    public static string Write(string runDir, IReadOnlyList<SystemMetrics> systems,
        IReadOnlyList<(string ImagePath, string Generated, string Reference, string? Note)> gallery, Checkpoint.Loaded? explainWith = null, int beam = 3,
        string? outDir = null, (string Name, string RunDir)? baseline = null)
    {
        // Inside the run folder every path is checked for links; a separate output folder is the caller's choice.
        var target = new RunFolder(outDir ?? runDir);
        Func<string, string> pathOf = outDir is null ? target.PathOf : relative => Path.Combine(target.Root, relative);
        Directory.CreateDirectory(pathOf(""));
        var history = Trainer.ReadHistory(runDir);
        var epochs = Rows(history);
        // The best checkpoint is the last epoch flagged best (a later epoch with an equal score replaces it).
        if (epochs.LastOrDefault(e => e.Best) is { } best)
            epochs = epochs.Select(e => e with { Best = e.Epoch == best.Epoch }).ToArray();
        var load = history.Where(h => h.ExpertLoad.Length > 0)
            .Select(h => new ExpertLoadEpoch { Epoch = h.Epoch, Layers = h.ExpertLoad.Select(l => l.Select(v => (float)v).ToArray()).ToArray() }).ToArray();
        var items = new List<GalleryItem>();
        for (int i = 0; i < gallery.Count; i++)
        {
            var (path, generated, reference, note) = gallery[i];
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
                ExplainFigures = figures, ExplainPage = page, Note = note,
            });
        }
        var specFile = Path.Combine(runDir, "spec.json");
        var data2 = new RunReportData
        {
            Steps = Trainer.ReadSteps(runDir).Select(st => new StepRow(st.Epoch, st.Step, st.Steps, st.Loss, st.Ce)).ToArray(),
            Baseline = baseline is { } b && Trainer.ReadHistory(b.RunDir) is { Count: > 0 } other ? new BaselineRun(b.Name, Rows(other)) : null,
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

    static EpochRow[] Rows(List<EpochRecord> history)
    {
        string[] groupNames = history.Count > 0 && history[0].Lr.Length == 2 ? ["vision", "rest"] : ["rest"];
        return history.Select(h => new EpochRow
        {
            Epoch = h.Epoch, TrainLoss = h.TrainLoss, ValLoss = h.ValLoss, Seconds = h.Seconds,
            LearningRates = h.Lr.Select((lr, i) => (Name: i < groupNames.Length ? groupNames[i] : $"group{i}", lr)).ToDictionary(t => t.Name, t => t.lr),
            Metrics = h.Val, TrainCe = h.TrainCe, TrainBalance = h.TrainBalance, Best = h.Best,
        }).ToArray();
    }

    /// <summary>
    /// Gallery entries from an evaluation, chosen to show where the model fails rather than the first rows (which are
    /// often normal and right): half abnormal cases (the reference reports findings), the worst-scored first, then the
    /// worst-scored reports of the rest. On the synthetic dataset a report's score is its finding F1 against the
    /// reference, and the note lists the findings it missed and added; elsewhere the score is the unigram F1 of the
    /// texts and "abnormal" means a reference unlike the most frequent one.
    /// </summary>
    public static List<(string ImagePath, string Generated, string Reference, string? Note)> GalleryOf(EvalResult eval, string dataDir, int count = 4)
    {
        int n = eval.Predictions.Length;
        bool synthetic = new Data.DatasetFolder(dataDir).IsSynthetic;
        var mostFrequent = eval.References.GroupBy(r => r).OrderByDescending(g => g.Count()).Select(g => g.Key).FirstOrDefault();
        var rows = Enumerable.Range(0, n).Select(i =>
        {
            string gen = eval.Predictions[i], refText = eval.References[i];
            if (!synthetic)
            {
                double unigram = UnigramF1(gen, refText);
                return (Index: i, Abnormal: refText != mostFrequent, Score: unigram, Note: $"unigram F1 {unigram:F2}");
            }
            var (predicted, reference) = (Data.Synthetic.FindingExtractor.Extract(gen), Data.Synthetic.FindingExtractor.Extract(refText));
            var f1 = Data.Synthetic.FindingScorer.ScoreSets([(predicted, reference)]);
            double score = reference.IsNormal && predicted.IsNormal ? 1 : f1.F1;
            return (Index: i, Abnormal: !reference.IsNormal, Score: score, Note: FindingDiff(predicted, reference, score));
        }).ToList();
        var picks = rows.Where(r => r.Abnormal).OrderBy(r => r.Score).ThenBy(r => r.Index).Take((count + 1) / 2).ToList();
        picks.AddRange(rows.Except(picks).OrderBy(r => r.Score).ThenBy(r => r.Index).Take(count - picks.Count));
        return picks.OrderBy(r => r.Score).ThenBy(r => r.Index)
            .Select(r => (Path.Combine(dataDir, eval.ImageIds[r.Index]), eval.Predictions[r.Index], eval.References[r.Index], (string?)r.Note)).ToList();
    }

    /// <summary>Findings the generated report missed and added, by type, side and zone.</summary>
    static string FindingDiff(Data.Synthetic.FindingSet predicted, Data.Synthetic.FindingSet reference, double f1)
    {
        static string Key(Data.Synthetic.Finding f) => Data.Synthetic.FindingScorer.Key(f, Data.Synthetic.FindingMatch.TypeSideZone).ToCode();
        var (p, r) = (predicted.Select(Key).ToList(), reference.Select(Key).ToList());
        var missed = r.Where(k => !p.Remove(k)).ToList();
        var extra = p;                                                              // what is left after matching
        string List(List<string> xs) => xs.Count == 0 ? "none" : string.Join(", ", xs);
        return $"finding F1 {f1:F2} — missed: {List(missed)}; added: {List(extra)}";
    }

    /// <summary>F1 of the two texts' word multisets.</summary>
    static double UnigramF1(string a, string b)
    {
        var (x, y) = (a.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList(), b.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList());
        if (x.Count == 0 || y.Count == 0) return x.Count == y.Count ? 1 : 0;
        var rest = y.ToList();
        int common = x.Count(w => rest.Remove(w));
        return common == 0 ? 0 : 2.0 * common / (x.Count + y.Count);
    }
}

using System.CommandLine;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Micar.Data;
using Micar.Data.Synthetic;
using Micar.Decoding;
using Micar.Model;
using Micar.Spec;
using Micar.Training;

namespace Micar.Cli;

/// <summary>
/// The main job on the embedded default: synthesise the chest-CT dataset, train the <c>tiny</c> spec on CPU, evaluate
/// on the test split, and compare with two baselines computed the same way — the most frequent training report for
/// every image, and the same model trained with every image zeroed (text only).
/// </summary>
static class Demo
{
    public static Command Command()
    {
        var outDir = new Option<string>("--out") { Description = "folder for the dataset and runs", DefaultValueFactory = _ => "runs/demo" };
        var n = new Option<int>("--n") { Description = "synthetic images", DefaultValueFactory = _ => 2000 };
        var epochs = new Option<int>("--epochs") { Description = "training epochs (default: the spec's)" };
        var spec = new Option<string>("--spec") { Description = "preset or spec file", DefaultValueFactory = _ => "tiny" };
        var quick = new Option<bool>("--quick") { Description = "a small, fast run (smoke test)" };
        var cmd = new Command("demo", "Synthesise data, train the tiny model, evaluate it against two baselines, print reports")
            { outDir, n, epochs, spec, quick };
        cmd.SetAction((r, ct) =>
        {
            Commands.SetThreads(r);
            bool q = r.GetValue(quick);
            return Task.FromResult(Run(r.GetValue(outDir)!, q ? 240 : r.GetValue(n), q ? 2 : r.GetValue(epochs) is > 0 and var e ? e : (int?)null, r.GetValue(spec)!, ct));
        });
        return cmd;
    }

    static void Say(string s) => Console.WriteLine(s);

    static int Run(string root, int n, int? epochs, string specName, CancellationToken ct)
    {
        var total = Stopwatch.StartNew();
        var spec = Presets.Resolve(specName);
        var dataDir = Path.Combine(root, "data");
        if (!new DatasetFolder(dataDir).IsSynthetic || SynthCount(dataDir) != n)
        {
            var sw = Stopwatch.StartNew();
            SynthDataset.Write(dataDir, n, 7, 224);
            Say($"[1/4] synthesised {n} chest-CT images in {sw.Elapsed.TotalSeconds:F1} s → {dataDir}");
        }
        else Say($"[1/4] using the synthetic dataset in {dataDir}");

        // The model trains end to end (vision encoder included: with no ImageNet weights to start from, frozen random
        // features carry too little of the findings). The text-only baseline sees constant zero images, so its vision
        // encoder is frozen and its (constant) tokens cached: same capacity, a fraction of the time.
        TrainOptions Options(string run, bool blind) => new()
        {
            Spec = spec, DataDir = dataDir, RunDir = Path.Combine(root, run), Epochs = epochs,
            FreezeVision = blind, CacheFeatures = blind, Blind = blind, ValidationBeam = 1, Patience = epochs ?? spec.Training.Epochs,
            Log = s => Console.Error.WriteLine(s), Overwrite = true,   // the demo trains its two models afresh on every run
        };
        var sw2 = Stopwatch.StartNew();
        var model = Trainer.Run(Options("model", false), ct);
        Say($"[2/4] trained '{spec.Name}' for {model.Epochs} epochs in {sw2.Elapsed.TotalSeconds:F0} s (best validation score {model.BestScore:F4}, epoch {model.BestEpoch})");
        sw2.Restart();
        var blind = Trainer.Run(Options("text-only", true), ct);
        Say($"[3/4] trained the text-only baseline (images zeroed) in {sw2.Elapsed.TotalSeconds:F0} s");

        sw2.Restart();
        var decode = new DecodeOptions { BeamWidth = spec.Training.BeamWidth };
        var ckpt = Checkpoint.Load(Path.Combine(model.RunDir, Trainer.BestDir));
        var ev = Evaluator.Run(ckpt, dataDir, "test", decode);
        Evaluator.Write(ev, Path.Combine(model.RunDir, "eval"));
        var evBlind = Evaluator.Run(Checkpoint.Load(Path.Combine(blind.RunDir, Trainer.BestDir)), dataDir, "test", decode, blind: true);
        Evaluator.Write(evBlind, Path.Combine(blind.RunDir, "eval"));
        var frequent = MostFrequentBaseline(dataDir, ev, ckpt);
        Say($"[4/4] evaluated on {ev.Predictions.Length} test images (beam {decode.BeamWidth}) in {sw2.Elapsed.TotalSeconds:F0} s");

        var systems = new (string Name, Dictionary<string, double> Scores)[]
        {
            ("Micar tiny", ev.Scores), ("text only (images zeroed)", evBlind.Scores), ("most frequent train report", frequent),
        };
        var table = Table(systems);
        Say("");
        Say(table);
        Say("Examples (test split):");
        foreach (int i in new[] { 0, 1, 2 }.Where(i => i < ev.Predictions.Length))
        {
            Say($"  image      {ev.ImageIds[i]}");
            Say($"  generated  {ev.Predictions[i]}");
            Say($"  reference  {ev.References[i]}");
            Say("");
        }
        var report = RunReportBuilder.Write(model.RunDir,
            systems.Select(s => new Micar.Reports.SystemMetrics
            {
                System = s.Name, Values = s.Scores,
                // 95 % bootstrap intervals over the test reports, for the model's row.
                Intervals = s.Scores == ev.Scores
                    ? MetricIntervals.Bootstrap(ev.Predictions, ev.References, synthetic: true).ToDictionary(kv => kv.Key, kv => (kv.Value.Low, kv.Value.High))
                    : new Dictionary<string, (double Low, double High)>(),
            }).ToList(),
            RunReportBuilder.GalleryOf(ev, dataDir, 4), ckpt, decode.BeamWidth, baseline: ("text only", blind.RunDir));
        Say($"run report with explain figures: {report}");
        File.WriteAllText(Path.Combine(root, "demo_results.md"), table);
        File.WriteAllText(Path.Combine(root, "demo_results.json"), JsonSerializer.Serialize(systems.ToDictionary(s => s.Name, s => s.Scores), new JsonSerializerOptions { WriteIndented = true }));
        Say($"total {total.Elapsed.TotalMinutes:F1} min; results in {root}/demo_results.md, reports in {model.RunDir}/eval/test_reports.csv");
        return 0;
    }

    static int SynthCount(string dataDir)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(new DatasetFolder(dataDir).SyntheticMarkerPath));
            foreach (var name in new[] { "count", "n", "images" })
                if (doc.RootElement.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number) return v.GetInt32();
        }
        catch (Exception) { }
        return -1;
    }

    /// <summary>The most frequent training report for every image, in the model's vocabulary and text length (as the
    /// model itself could have written it), scored like the model.</summary>
    static Dictionary<string, double> MostFrequentBaseline(string dataDir, EvalResult like, Checkpoint.Loaded ckpt)
    {
        var train = SplitData.Load(dataDir, "train");
        var tokenizer = new Tokenizer(ckpt.Vocab);
        var mostFrequent = train.Reports.GroupBy(r => r).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First().Key;
        var pred = tokenizer.ReferenceText(mostFrequent, ckpt.Model.TextSeqLen);
        var preds = Enumerable.Repeat(pred, like.References.Length).ToArray();
        return Scoring.Score(preds, like.References, synthetic: true, coco: true);
    }

    static string Table((string Name, Dictionary<string, double> Scores)[] systems)
    {
        var cols = new[] { ("BLEU-1", "bleu1"), ("BLEU-4", "bleu4"), ("METEOR", "meteor"), ("ROUGE-L", "rougeL"), ("CIDEr-D", "coco_ciderD"), ("finding F1", "finding_f1"), ("type F1", "finding_type_f1") };
        var sb = new StringBuilder();
        sb.Append("| system |");
        foreach (var (h, _) in cols) sb.Append($" {h} |");
        sb.AppendLine();
        sb.Append("|---|");
        foreach (var _ in cols) sb.Append("---:|");
        sb.AppendLine();
        foreach (var (name, s) in systems)
        {
            sb.Append($"| {name} |");
            foreach (var (_, k) in cols) sb.Append(s.TryGetValue(k, out var v) ? $" {v:F3} |" : " – |");
            sb.AppendLine();
        }
        return sb.ToString();
    }
}

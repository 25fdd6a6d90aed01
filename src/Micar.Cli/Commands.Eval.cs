using System.CommandLine;
using System.Text.Json;
using Micar.Decoding;
using Micar.Model;
using Micar.Training;

namespace Micar.Cli;

/// <summary>`micar eval`.</summary>
static partial class Commands
{
    static Command Eval()
    {
        var run = new Option<string>("--run") { Description = "run folder (uses its best checkpoint) or checkpoint folder", Required = true };
        var data = new Option<string?>("--data") { Description = "dataset folder (default: the one the run was trained on)" };
        var split = new Option<string>("--split") { Description = "train, val or test", DefaultValueFactory = _ => "test" };
        split.AcceptOnlyFromAmong("train", "val", "test");
        var beam = new Option<int?>("--beam") { Description = "beam width (default: spec)" }.AtLeast(1);
        var outDir = new Option<string?>("--out")
        {
            Description = "output folder for everything eval writes (the CSV, the metrics and, for a run folder, report.html and explain/); " +
                "with --out nothing is written into the run folder. Default: RUN/eval, with report.html and explain/ in RUN",
        };
        var cmd = new Command("eval", "Generate reports for a split and score them; writes <split>_reports.csv and <split>_metrics.json " +
            "(and, for a run folder, the run report)")
            { run, data, split, beam, outDir, SixteenBitOption, ThreadsOption };
        cmd.SetAction(r =>
        {
            SetThreads(r);
            var runDir = r.GetValue(run)!;
            if (MedMoeTrainer.IsCheckpoint(runDir)) return EvalMedMoe(runDir, r.GetValue(data), r.GetValue(split)!, r.GetValue(outDir));
            var ckpt = LoadRun(runDir);
            var dataDir = r.GetValue(data) ?? TrainedDataDir(runDir) ?? throw new UserError("--data is required (the run does not record its dataset)");
            var width = r.GetValue(beam) ?? ckpt.Spec.Training.BeamWidth;
            CheckBeam(width, ckpt, "--beam");
            var res = Evaluator.Run(ckpt, dataDir, r.GetValue(split)!, new DecodeOptions { BeamWidth = width }, imageDecode: DecodeOptions(r));
            var given = r.GetValue(outDir);
            bool isRun = Directory.Exists(Path.Combine(runDir, Trainer.BestDir));
            try
            {
                // Writing into the run folder: under its lock (not while a training runs there) and never through a link.
                using var runLock = given is null && isRun ? RunLock.Acquire(runDir) : null;
                var folder = new RunFolder(runDir);
                var evalDir = given ?? folder.PathOf(RunFolder.EvalDir);
                if (given is null)
                    foreach (var name in new[] { "_reports.csv", "_metrics.json" }) folder.PathOf($"{RunFolder.EvalDir}/{res.Split}{name}");
                var (csv, json) = Evaluator.Write(res, evalDir);
                Console.WriteLine(JsonSerializer.Serialize(res.Scores, new JsonSerializerOptions { WriteIndented = true }));
                Console.WriteLine($"reports: {csv}\nmetrics: {json}");
                if (isRun)
                {
                    var intervals = MetricIntervals.Bootstrap(res.Predictions, res.References, new Micar.Data.DatasetFolder(dataDir).IsSynthetic)
                        .ToDictionary(kv => kv.Key, kv => (kv.Value.Low, kv.Value.High));
                    var report = RunReportBuilder.Write(runDir,
                        [new Micar.Reports.SystemMetrics { System = $"{ckpt.Spec.Name} ({res.Split})", Values = res.Scores, Intervals = intervals }],
                        RunReportBuilder.GalleryOf(res, dataDir), ckpt, r.GetValue(beam) ?? ckpt.Spec.Training.BeamWidth, given);
                    Console.WriteLine($"report:  {report}");
                }
            }
            catch (RunFolderException e) { throw new UserError(e.Message); }
            return 0;
        });
        return cmd;
    }

    internal static string? TrainedDataDir(string runDir)
    {
        var path = Path.Combine(runDir, "train_options.json");
        if (!File.Exists(path)) return null;
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.TryGetProperty("DataDir", out var d) ? d.GetString() : null;
    }
}

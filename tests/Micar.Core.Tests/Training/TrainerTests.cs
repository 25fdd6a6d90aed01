using Micar.Data.Synthetic;
using Micar.Model;
using Micar.Spec;
using Micar.Tests.Model;
using Micar.Torch;
using Micar.Training;
using Xunit;

namespace Micar.Tests.Training;


/// <summary>A shared 40-image synthetic dataset for training tests.</summary>
public sealed class SmallDataset : IDisposable
{
    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "micar-train-" + Guid.NewGuid().ToString("N"));
    public SmallDataset() => SynthDataset.Write(Dir, 40, 3, 64);
    public void Dispose() { try { Directory.Delete(Dir, true); } catch (IOException) { } }
}

[Collection("training")]
public class TrainerTests(SmallDataset data) : IClassFixture<SmallDataset>
{
    static ModelSpec Spec() => ModelFixture.Spec() with
    {
        Vocab = new VocabSpec { Dataset = "covctr" },
        TextSeqLen = 24,
        Dropout = 0.1,
        AttentionDropout = 0.1,
        Training = new TrainingSpec { BatchSize = 8, Epochs = 3, Lr = 1e-3, VisionLr = 5e-4, Seed = 11, BeamWidth = 1, Patience = 10 },
    };

    TrainOptions Options(string run, bool frozen = false) => new()
    {
        Spec = Spec(), DataDir = data.Dir, RunDir = run, FreezeVision = frozen, CacheFeatures = frozen, Log = _ => { },
    };

    static string TempRun() => Path.Combine(Path.GetTempPath(), "micar-run-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void Same_seed_gives_an_identical_loss_curve_and_the_loss_falls()
    {
        string a = TempRun(), b = TempRun();
        try
        {
            var ra = Trainer.Run(Options(a));
            var rb = Trainer.Run(Options(b));
            Assert.Equal(3, ra.History.Count);
            Assert.Equal(ra.History.Select(h => h.TrainLoss), rb.History.Select(h => h.TrainLoss));
            Assert.Equal(ra.History.Select(h => h.ValLoss), rb.History.Select(h => h.ValLoss));
            Assert.True(ra.History[^1].TrainLoss < ra.History[0].TrainLoss, "training loss should fall");
            Assert.True(File.Exists(Path.Combine(a, Trainer.BestDir, Checkpoint.WeightsFile)));
            Assert.Equal(3, Trainer.ReadHistory(a).Count);
        }
        finally { Directory.Delete(a, true); Directory.Delete(b, true); }
    }

    [Fact]
    public void Validation_prints_progress_like_training()
    {
        string run = TempRun();
        try
        {
            var lines = new List<string>();
            Trainer.Run(Options(run, frozen: true) with { StopAfterEpochs = 1, ProgressInterval = TimeSpan.Zero, Log = lines.Add });
            var validation = lines.Where(l => l.StartsWith("  validation [")).ToList();
            Assert.Contains(validation, l => l.Contains(" loss 0/4 rows"));                        // the teacher-forced pass
            Assert.Contains(validation, l => l.Contains("decoding ") && l.Contains(" reports, step "));
            // In order: the loss pass, then the decoding, its share of the work never going back.
            int firstDecode = validation.FindIndex(l => l.Contains("decoding "));
            Assert.True(firstDecode > 0 && validation.Skip(firstDecode).All(l => l.Contains("decoding ")));
            var shares = validation.Select(l => l[(l.IndexOf('[') + 1)..l.IndexOf(']')].Count(c => c == '#')).ToList();
            Assert.Equal(shares.Order(), shares);
            Assert.True(lines.IndexOf(validation[0]) > lines.FindLastIndex(l => l.StartsWith("  epoch 1/")), "validation comes after the training steps");
        }
        finally { Directory.Delete(run, true); }
    }

    [Fact]
    public void Resume_after_a_stop_continues_exactly()
    {
        string straight = TempRun(), resumed = TempRun();
        try
        {
            var full = Trainer.Run(Options(straight));
            Trainer.Run(Options(resumed) with { StopAfterEpochs = 1 });
            Assert.Single(Trainer.ReadHistory(resumed));
            var rest = Trainer.Run(Options(resumed) with { Resume = true });
            Assert.Equal(full.History.Select(h => h.TrainLoss), rest.History.Select(h => h.TrainLoss));
            using var scope = Libtorch.NewScope();
            var a = Checkpoint.Load(Path.Combine(straight, Trainer.LastDir));
            var b = Checkpoint.Load(Path.Combine(resumed, Trainer.LastDir));
            foreach (var key in a.Params.Keys) Assert.True(a.Params[key].Equal(b.Params[key]), key);
        }
        finally { Directory.Delete(straight, true); Directory.Delete(resumed, true); }
    }

    [Fact]
    public void Frozen_vision_with_cached_features_trains_only_the_text_side_and_evaluates()
    {
        string run = TempRun();
        try
        {
            var r = Trainer.Run(Options(run, frozen: true) with { Epochs = 2 });
            Assert.Equal(2, r.History.Count);
            using var scope = Libtorch.NewScope();
            var ckpt = Checkpoint.Load(Path.Combine(run, Trainer.BestDir));
            var init = ParamInit.Create(ckpt.Model, new Generator(11));
            // Trunk weights stay at their initial values; batch-norm statistics were calibrated (changed).
            Assert.True(init["vis_enc.layer2.0.0.conv1.weight"].Equal(ckpt.Params["vis_enc.layer2.0.0.conv1.weight"]));
            Assert.False(init["vis_enc.fusion.1.running_var"].Equal(ckpt.Params["vis_enc.fusion.1.running_var"]));
            Assert.False(init["gen_logits.1.weight"].Equal(ckpt.Params["gen_logits.1.weight"]));
            var ev = Evaluator.Run(ckpt, data.Dir, "test", new Micar.Decoding.DecodeOptions { BeamWidth = 2 });
            Assert.Equal(4, ev.Predictions.Length);
            Assert.Contains("finding_f1", ev.Scores.Keys);
            var (csv, json) = Evaluator.Write(ev, Path.Combine(run, "eval"));
            Assert.True(File.Exists(csv) && File.Exists(json));

            // Explain one test image: traces become figure data whose shapes follow the model.
            var image = Path.Combine(data.Dir, ev.ImageIds[0]);
            var explain = Explainer.Explain(ckpt, image, new Micar.Decoding.DecodeOptions { BeamWidth = 1 });
            explain.Validate();
            Assert.Equal(2, explain.CrossAttention.Length);                       // decoder layers
            Assert.Equal(49, explain.CrossAttention[0][0][0].Length);              // 7×7 image tokens
            Assert.Equal(explain.Tokens.Length, explain.SelfAttention[0][0].Length);
            Assert.Equal(4, explain.Routing[0].Load.Length);                       // experts
            Assert.Equal(2 * explain.Tokens.Length, explain.Routing[0].Load.Sum()); // top-2 per token
            Assert.Contains(explain.Pyramid, m => m.Name == "F");
            foreach (var row in explain.CrossAttention[0][0]) Assert.Equal(1.0, row.Sum(), 4);
            var files = Micar.Reports.ExplainRenderer.Render(explain, Path.Combine(run, "explain"));
            Assert.Contains(files, f => f.EndsWith("overlays.svg"));
            Assert.Contains(files, f => f.EndsWith("routing_layer1.svg"));

            // Per-step losses: one line per step of each epoch (32 training rows, batch 8: 4 steps).
            var steps = Trainer.ReadSteps(run);
            Assert.Equal([1, 1, 1, 1, 2, 2, 2, 2], steps.Select(st => st.Epoch));
            Assert.All(steps, st => Assert.Equal(4, st.Steps));
            Assert.Equal(r.History[0].TrainLoss, steps.Where(st => st.Epoch == 1).Average(st => st.Loss), 6);

            // The gallery shows failures first: abnormal references, worst finding F1 first, each with its finding diff.
            var gallery = RunReportBuilder.GalleryOf(ev, data.Dir, 2);
            Assert.Equal(2, gallery.Count);
            Assert.All(gallery, g => Assert.StartsWith("finding F1 ", g.Note));
            var f1 = gallery.Select(g => double.Parse(g.Note!["finding F1 ".Length..].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(f1.Order(), f1);
            Assert.False(Micar.Data.Synthetic.FindingExtractor.Extract(gallery[0].Reference).IsNormal && ev.References.Any(x => !Micar.Data.Synthetic.FindingExtractor.Extract(x).IsNormal),
                "an abnormal case should come first when there is one");

            // The HTML run report: per-step and epoch loss curves, the loss parts, the best epoch marked, the text-only
            // baseline overlaid, the metrics table and the gallery with its notes and figures.
            var report = RunReportBuilder.Write(run, [new Micar.Reports.SystemMetrics { System = "test", Values = ev.Scores }],
                gallery, ckpt, beam: 1, baseline: ("text only", run));
            var html = File.ReadAllText(report);
            Assert.Contains("<svg", html);
            Assert.Contains("train loss per step", html);
            Assert.Contains("Training cross-entropy", html);
            Assert.Contains($"best epoch {r.BestEpoch}", html);
            Assert.Contains("validation loss (text only)", html);
            Assert.Contains("missed: ", html);
            Assert.Contains("explain/0/index.html", html);
            Assert.True(File.Exists(Path.Combine(run, "explain", "1", "overlays.svg")));
        }
        finally { Directory.Delete(run, true); }
    }

    [Fact]
    public void A_missing_split_or_a_corrupt_image_is_reported_by_name()
    {
        string run = TempRun();
        var bad = Path.Combine(Path.GetTempPath(), "micar-bad-" + Guid.NewGuid().ToString("N"));
        try
        {
            var e = Assert.Throws<FileNotFoundException>(() => Trainer.Run(Options(run) with { DataDir = bad }));
            Assert.Contains("train.csv", e.Message);
            // Copy the dataset and corrupt one training image.
            Directory.CreateDirectory(bad);
            foreach (var f in Directory.GetFiles(data.Dir, "*", SearchOption.AllDirectories))
            {
                var dst = Path.Combine(bad, Path.GetRelativePath(data.Dir, f));
                Directory.CreateDirectory(Path.GetDirectoryName(dst)!);
                File.Copy(f, dst);
            }
            var firstImage = File.ReadLines(Path.Combine(bad, "train.csv")).Skip(1).First().Split(',')[0];
            var path = Path.Combine(bad, firstImage);
            var good = File.ReadAllBytes(path);
            // A file that does not even start like an image: refused before the run folder is written.
            File.WriteAllBytes(path, [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);
            var e2 = Assert.Throws<InvalidDataException>(() => Trainer.Run(Options(run) with { DataDir = bad }));
            Assert.Contains(Path.GetFileName(firstImage), e2.Message);
            Assert.False(Path.Exists(run));
            // A PNG cut short after a valid header passes that check and is named when its batch is decoded.
            File.WriteAllBytes(path, good[..(good.Length / 2)]);
            var e3 = Assert.Throws<Micar.Data.Images.ImageDecodeException>(() => Trainer.Run(Options(run) with { DataDir = bad }));
            Assert.Contains(Path.GetFileName(firstImage), e3.Message);
        }
        finally
        {
            if (Directory.Exists(run)) Directory.Delete(run, true);
            if (Directory.Exists(bad)) Directory.Delete(bad, true);
        }
    }
}

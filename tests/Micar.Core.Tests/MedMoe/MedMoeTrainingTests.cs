using Micar.Data.Synthetic;
using Micar.Spec;
using Micar.Tests.Cli;
using Micar.Training;
using Xunit;

namespace Micar.Tests.MedMoe;

/// <summary>A small two-modality dataset shared by the training tests.</summary>
public sealed class MedMoeData : IDisposable
{
    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "micar-medmoe-" + Guid.NewGuid().ToString("N"));
    public MedMoeData() => SynthDataset.Write(Dir, 60, 4, 64, maxDegreeOfParallelism: 1, xrayShare: 0.5);
    public void Dispose() => Directory.Delete(Dir, recursive: true);
}

/// <summary>Training, saving, loading and evaluating a MedMoE model, in the library and through <c>micar</c>.</summary>
[Collection("console")]
public class MedMoeTrainingTests(MedMoeData data) : IClassFixture<MedMoeData>
{
    static MedMoeSpec Spec => MedMoePresets.Get("medmoe-tiny").WithImageSize(64);

    [Fact]
    public void SplitsCarryModalitiesAndFindings()
    {
        var test = MedMoeSplit.Load(data.Dir, "test");
        Assert.Equal(6, test.Count);
        Assert.NotNull(test.Findings);
        for (int i = 0; i < test.Count; i++)
        {
            var writer = test.Modalities[i] == (long)SyntheticModality.XRay ? RadiographGrammar.Write(test.Findings![i]) : ReportGrammar.Write(test.Findings![i]);
            Assert.Equal(writer, test.Reports[i]);
        }
    }

    [Fact]
    public void TrainingLowersTheLossAndALoadedCheckpointScoresTheSame()
    {
        var dir = Path.Combine(data.Dir, "ckpt");
        MedMoeScores before;
        using (var trained = MedMoeTrainer.Train(Spec, data.Dir, new MedMoeTrainOptions { Epochs = 4, BatchSize = 8, Seed = 3 }))
        {
            Assert.Equal(4, trained.History.Count);
            Assert.All(trained.History, e => Assert.True(double.IsFinite(e.Loss)));
            Assert.True(trained.History[^1].Loss < trained.History[0].Loss,
                $"loss {trained.History[0].Loss} → {trained.History[^1].Loss}");
            Assert.Equal(trained.Vocab.Count, trained.Spec.Vocab.Size);
            before = MedMoeEvaluation.Evaluate(trained, MedMoeSplit.Load(data.Dir, "test"));
            MedMoeTrainer.Save(dir, trained);
        }
        using var loaded = MedMoeTrainer.Load(dir);
        var after = MedMoeEvaluation.Evaluate(loaded, MedMoeSplit.Load(data.Dir, "test"));
        Assert.Equal(before.ImageToText, after.ImageToText);
        Assert.Equal(before.TextToImage, after.TextToImage);
        Assert.Equal(before.ZeroShot!.PerClass, after.ZeroShot!.PerClass);
        Assert.InRange(after.ImageToText.R10, after.ImageToText.R1, 1.0);
        Assert.Equal(5, after.ZeroShot.PerClass.Count);
        Assert.Throws<FileNotFoundException>(() => MedMoeTrainer.Load(data.Dir));
    }

    [Fact]
    public void PromptsCoverEveryFindingInBothVocabularies()
    {
        foreach (var type in MedMoeEvaluation.Classes)
        {
            var prompts = MedMoeEvaluation.PositivePrompts(type);
            Assert.Equal(type == FindingType.Effusion ? 4 : 12, prompts.Count);
            Assert.All(prompts, p => Assert.Equal(type, FindingExtractorOrRadiograph(p)));
        }
        Assert.Equal(2, MedMoeEvaluation.NegativePrompts.Count);
    }

    /// <summary>The finding type a single-finding prompt names (CT prompts parse with the extractor; radiograph ones by keyword).</summary>
    static FindingType FindingExtractorOrRadiograph(string report)
    {
        if (report.Contains("silhouette"))
            return report.Contains("patchy opacity") ? FindingType.GroundGlass
                : report.Contains("consolidation") ? FindingType.Consolidation
                : report.Contains("nodular") ? FindingType.Nodule
                : report.Contains("cavitary") ? FindingType.Cavity
                : report.Contains("pleural effusion blunting") ? FindingType.Effusion
                : throw new InvalidOperationException(report);
        return Assert.Single(FindingExtractor.Extract(report)).Type;
    }

    [Fact]
    public void MicarTrainsAndEvaluatesAMedMoeSpec()
    {
        var run = Path.Combine(data.Dir, "run");
        var (code, output, err) = CliHarness.Run(["train", "--spec", "medmoe-tiny-unconditioned", "--data", data.Dir, "--out", run,
            "--epochs", "1", "--batch-size", "8"]);
        Assert.True(code == 0, err);
        Assert.Contains("epoch 1/1", output);
        Assert.Contains("image→text", output);
        Assert.True(File.Exists(Path.Combine(run, MedMoeTrainer.SpecFile)));
        var (again, _, againErr) = CliHarness.Run(["train", "--spec", "medmoe-tiny", "--data", data.Dir, "--out", run, "--epochs", "1", "--batch-size", "8"]);
        Assert.Equal(2, again);
        Assert.Contains("--overwrite", againErr);
        var (resumed, resumedOut, resumedErr) = CliHarness.Run(["train", "--spec", "medmoe-tiny", "--data", data.Dir, "--out", run, "--epochs", "2",
            "--batch-size", "8", "--resume"]);
        Assert.True(resumed == 0, resumedErr);
        Assert.Contains("after epoch 1; epochs 2–2 to go", resumedOut);
        Assert.Equal(2, File.ReadAllLines(Path.Combine(run, "history.jsonl")).Length);
        Assert.Contains("medmoe-tiny-unconditioned", File.ReadAllText(Path.Combine(run, MedMoeTrainer.SpecFile)));   // the run's spec
        var (unsupported, _, unsupportedErr) = CliHarness.Run(["train", "--spec", "medmoe-tiny", "--data", data.Dir, "--out", run + "-x", "--freeze-vision"]);
        Assert.Equal(2, unsupported);
        Assert.Contains("--freeze-vision is not supported", unsupportedErr);
        var (noState, _, noStateErr) = CliHarness.Run(["train", "--spec", "medmoe-tiny", "--data", data.Dir, "--out", run + "-y", "--resume"]);
        Assert.Equal(2, noState);
        Assert.Contains("no MedMoE training state", noStateErr);
        var evalOut = Path.Combine(data.Dir, "eval");
        var (ecode, eoutput, eerr) = CliHarness.Run(["eval", "--run", run, "--out", evalOut]);
        Assert.True(ecode == 0, eerr);
        Assert.Contains("text→image", eoutput);
        Assert.Contains("zero-shot findings", eoutput);
        Assert.True(File.Exists(Path.Combine(evalOut, "medmoe-metrics-test.json")));
        Assert.False(File.Exists(Path.Combine(run, "medmoe-metrics-test.json")));
    }

    /// <summary>Every finished epoch is handed out (the CLI saves it), and what epoch 1 saved loads and scores as the model
    /// was then, while later epochs go on changing the parameters.</summary>
    [Fact]
    public void Each_epoch_is_handed_out_and_an_epoch_saved_mid_run_loads_as_it_was()
    {
        var dir = Path.Combine(data.Dir, "epochs");
        var seen = new List<int>();
        float[]? firstEpochWeight = null;
        using var trained = MedMoeTrainer.Train(Spec, data.Dir, new MedMoeTrainOptions
        {
            Epochs = 3, BatchSize = 8, Seed = 5,
            EpochDone = t =>
            {
                seen.Add(t.History.Count);
                if (t.History.Count == 1)
                {
                    MedMoeTrainer.Save(dir, t);
                    firstEpochWeight = t.Params[t.Params.Keys[0]].ToArray<float>();
                }
            },
        });
        Assert.Equal([1, 2, 3], seen);
        Assert.False(Directory.EnumerateFileSystemEntries(dir).Any(e => e.EndsWith(".tmp", StringComparison.Ordinal)), "temporary files left");
        using var loaded = MedMoeTrainer.Load(dir);
        var key = loaded.Params.Keys[0];
        Assert.Equal(firstEpochWeight, loaded.Params[key].ToArray<float>());
        Assert.NotEqual(firstEpochWeight, trained.Params[key].ToArray<float>());
    }

    /// <summary>A run stopped after epoch 2 and resumed (its spec, vocabulary, AdamW state and RNG from RUN/last/) ends
    /// with the parameters and history of the same run trained 3 epochs without stopping.</summary>
    [Fact]
    public void A_resumed_run_ends_where_an_uninterrupted_run_ends()
    {
        var whole = Path.Combine(data.Dir, "whole");
        var parts = Path.Combine(data.Dir, "parts");
        MedMoeTrainOptions Options(string run, int epochs, bool resume) =>
            new() { Epochs = epochs, BatchSize = 8, Seed = 9, MaxTrainRows = 32, RunDir = run, Resume = resume };
        using var a = MedMoeTrainer.Train(Spec, data.Dir, Options(whole, 3, false));
        using (MedMoeTrainer.Train(Spec, data.Dir, Options(parts, 2, false))) { }
        Assert.Equal(2, RunFolder.CompletedEpoch(Path.Combine(parts, MedMoeTrainer.StateDir)));
        using var b = MedMoeTrainer.Train(Spec with { Experts = 7 }, data.Dir, Options(parts, 3, true));   // the run's own spec wins
        Assert.Equal(a.Spec.ToJson(), b.Spec.ToJson());
        Assert.Equal(a.History.Select(e => e.Loss), b.History.Select(e => e.Loss));
        foreach (var key in a.Params.Keys)
            Assert.Equal(a.Params[key].To(Micar.Torch.DType.Float64).ToArray<double>(), b.Params[key].To(Micar.Torch.DType.Float64).ToArray<double>());
        Assert.Throws<InvalidDataException>(() => MedMoeTrainer.Train(Spec, data.Dir, Options(Path.Combine(data.Dir, "none"), 3, true)));
    }

    /// <summary>Real data names its modalities in <c>modality.csv</c> with any names: they are looked up in the spec's
    /// <c>modalities</c> (an unknown one is refused naming the file, line and name), and a spec over them trains.</summary>
    [Fact]
    public void Modality_names_of_a_folder_are_the_spec_s_own()
    {
        var dir = Path.Combine(data.Dir, "named");
        SynthDataset.Write(dir, 20, 7, 64, maxDegreeOfParallelism: 1);
        var ids = Directory.GetFiles(Path.Combine(dir, "images")).Select(Path.GetFileName).Order().ToList();
        File.WriteAllLines(Path.Combine(dir, SynthDataset.ModalityFile),
            ["image_id,modality", .. ids.Select((id, i) => $"images/{id},{(i % 2 == 0 ? "mri" : "ct")}")]);
        string[] names = ["ct", "mri"];
        var split = MedMoeSplit.Load(dir, "train", names);
        Assert.Contains(0L, split.Modalities);
        Assert.Contains(1L, split.Modalities);
        var e = Assert.Throws<FormatException>(() => MedMoeSplit.Load(dir, "train"));   // the synthetic names: ct, xray
        Assert.Contains(SynthDataset.ModalityFile, e.Message);
        Assert.Contains("'mri'", e.Message);
        using var trained = MedMoeTrainer.Train(Spec with { Modalities = names }, dir, new MedMoeTrainOptions { Epochs = 1, BatchSize = 4, MaxTrainRows = 8 });
        Assert.Single(trained.History);
    }

    /// <summary>The spec's training schedule is honoured: with validation every epoch is scored, the best goes to
    /// RUN/best/, and training stops once <c>patience</c> epochs pass without a better score (patience 0: after the first
    /// epoch, as in the caption trainer); a step size decays the learning rate by gamma.</summary>
    [Fact]
    public void Validation_patience_and_the_step_schedule_of_the_spec_are_honoured()
    {
        var run = Path.Combine(data.Dir, "patience");
        var impatient = Spec with { Training = Spec.Training with { Patience = 0 } };
        var lines = new List<string>();
        using (var t = MedMoeTrainer.Train(impatient, data.Dir, new MedMoeTrainOptions
               { Epochs = 5, BatchSize = 8, MaxTrainRows = 16, RunDir = run, Validate = true, Log = lines.Add }))
        {
            var e = Assert.Single(t.History);
            Assert.InRange(e.ValScore!.Value, 0, 1);
        }
        Assert.Contains(lines, l => l.StartsWith("early stop after epoch 1", StringComparison.Ordinal));
        Assert.Equal(1, RunFolder.CompletedEpoch(Path.Combine(run, MedMoeTrainer.BestDir)));
        using (var t = MedMoeTrainer.Train(Spec, data.Dir, new MedMoeTrainOptions { Epochs = 2, BatchSize = 8, MaxTrainRows = 16 }))
            Assert.All(t.History, e => Assert.Null(e.ValScore));                // no validation asked: none run
        var decay = Spec with { Training = Spec.Training with { StepSize = 1, Gamma = 0.5 } };
        var run2 = Path.Combine(data.Dir, "steps");
        using (MedMoeTrainer.Train(decay, data.Dir, new MedMoeTrainOptions { Epochs = 2, BatchSize = 8, MaxTrainRows = 16, RunDir = run2 })) { }
        var state = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(run2, MedMoeTrainer.StateDir, "state.json"))).RootElement;
        var lr = state.GetProperty("Lr").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        Assert.Equal(decay.Training.VisionLr / 4, lr[0], 12);
        Assert.Equal(decay.Training.Lr / 4, lr[1], 12);
    }

    /// <summary>A run whose decoded images cannot fit is refused before anything is decoded or allocated, naming the
    /// sizes; the estimate counts the images at the spec's size.</summary>
    [Fact]
    public void A_run_that_cannot_fit_in_memory_is_refused_before_decoding()
    {
        var huge = Spec.WithImageSize(60_000);                              // 48 training rows × 3 × 60000² floats ≈ 2 PB
        var e = Assert.Throws<MemoryBudgetException>(() => MedMoeTrainer.Train(huge, data.Dir, new MedMoeTrainOptions { Epochs = 1, BatchSize = 8 }));
        Assert.Contains("60000 px", e.Message);
        Assert.Contains("--force", e.Message);
        var model = Spec.Compile();
        Assert.True(MedMoeTrainer.MemoryNeeded(model, 100, 64) > 100L * 3 * 64 * 64 * 4, "the images are not counted");
    }

    /// <summary>A MedMoE run folder has the caption runs' guarantees: a held lock refuses a second training, a link inside
    /// the folder is refused, and --overwrite refuses a folder holding other files, each before anything is written.</summary>
    [Fact]
    public void A_medmoe_run_folder_is_locked_and_never_written_through_links_or_over_foreign_files()
    {
        string[] Train(string run, params string[] more) =>
            ["train", "--spec", "medmoe-tiny", "--data", data.Dir, "--out", run, "--epochs", "1", "--batch-size", "8", "--max-train-rows", "16", .. more];
        var locked = Path.Combine(data.Dir, "locked");
        Directory.CreateDirectory(locked);
        using (RunLock.Acquire(locked))
        {
            var (code, _, err) = CliHarness.Run(Train(locked));
            Assert.Equal(2, code);
            Assert.Contains(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), err);
        }
        var linked = Path.Combine(data.Dir, "linked");
        Directory.CreateDirectory(linked);
        var target = Path.Combine(data.Dir, "target.txt");
        File.WriteAllText(target, "keep");
        File.CreateSymbolicLink(Path.Combine(linked, "history.jsonl"), target);
        var (lcode, _, lerr) = CliHarness.Run(Train(linked, "--overwrite"));
        Assert.Equal(2, lcode);
        Assert.Contains("symbolic link", lerr);
        Assert.Equal("keep", File.ReadAllText(target));
        var foreign = Path.Combine(data.Dir, "foreign");
        Directory.CreateDirectory(foreign);
        File.WriteAllText(Path.Combine(foreign, "notes.txt"), "mine");
        var (fcode, _, ferr) = CliHarness.Run(Train(foreign, "--overwrite"));
        Assert.Equal(2, fcode);
        Assert.Contains("notes.txt", ferr);
        Assert.Equal(["notes.txt"], Directory.GetFileSystemEntries(foreign).Select(Path.GetFileName));
    }
}

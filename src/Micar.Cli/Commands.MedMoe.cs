using System.Globalization;
using System.Text.Json;
using Micar.Spec;
using Micar.Training;

namespace Micar.Cli;

/// <summary><c>micar train</c> and <c>micar eval</c> for MedMoE specs and runs (the caption commands hand over here when the
/// spec is a MedMoE preset or the run folder holds a MedMoE checkpoint).</summary>
static partial class Commands
{
    /// <summary>Files a MedMoE run writes into its folder (removed by <c>--overwrite</c>; other files are kept).</summary>
    static readonly string[] MedMoeRunFiles = [MedMoeTrainer.SpecFile, Model.Checkpoint.WeightsFile, "history.jsonl", "data.txt"];

    static int TrainMedMoe(MedMoeSpec spec, string dataDir, string runDir, int? epochs, int? batch, long? seed, int? maxRows, bool overwrite, bool force)
    {
        try { return TrainMedMoeRun(spec, dataDir, runDir, epochs, batch, seed, maxRows, overwrite, force); }
        catch (RunFolderException e) { throw new UserError(e.Message); }
    }

    static int TrainMedMoeRun(MedMoeSpec spec, string dataDir, string runDir, int? epochs, int? batch, long? seed, int? maxRows, bool overwrite, bool force)
    {
        // The run folder's guarantees of caption runs: no symbolic link inside it is followed, a second training into it
        // fails naming the holder of RUN/.lock, and a non-empty folder is replaced only with --overwrite, which removes
        // MedMoE's own files and nothing else.
        var folder = new RunFolder(runDir);
        folder.RefuseLinks();
        var entries = folder.Entries();
        if (entries.Count > 0 && !overwrite)
            throw new UserError($"--out '{runDir}' is not empty ({string.Join(", ", entries.Take(5))}); pass --overwrite to replace a MedMoE run there");
        var own = MedMoeRunFiles.Append(Model.Checkpoint.VocabDir).SelectMany(f => new[] { f, f + ".tmp" }).ToHashSet();
        var foreign = entries.Where(e => !own.Contains(e)).ToList();
        if (overwrite && foreign.Count > 0)
            throw new UserError($"--out '{runDir}' holds files that are not a MedMoE run's ({string.Join(", ", foreign.Take(5))}); --overwrite removes only a run's own files: choose another folder");
        MedMoeSplit.Load(dataDir, Data.DatasetFolder.Train);            // the data is checked before the folder is touched
        Directory.CreateDirectory(runDir);
        using var runLock = RunLock.Acquire(runDir);
        folder.RefuseLinks();
        foreach (var f in MedMoeRunFiles) { File.Delete(folder.PathOf(f)); File.Delete(folder.PathOf(f + ".tmp")); }
        if (Directory.Exists(folder.PathOf(Model.Checkpoint.VocabDir))) Directory.Delete(folder.PathOf(Model.Checkpoint.VocabDir), true);
        Console.WriteLine($"training {spec.Name} on {dataDir}");
        folder.WriteAllText("data.txt", Path.GetFullPath(dataDir) + "\n");
        // Saved after every epoch (weights, then the history that names them), so a run stopped later keeps its
        // finished epochs.
        void SaveRun(MedMoeTrained t)
        {
            MedMoeTrainer.Save(runDir, t);
            folder.WriteAllText("history.jsonl", string.Concat(t.History.Select(e => JsonSerializer.Serialize(e) + "\n")));
        }
        using var trained = MedMoeTrainer.Train(spec, dataDir, new MedMoeTrainOptions
        {
            Epochs = epochs, BatchSize = batch, Seed = seed, MaxTrainRows = maxRows, Log = Console.WriteLine, EpochDone = SaveRun, Force = force,
        });
        var scores = MedMoeEvaluation.Evaluate(trained, MedMoeSplit.Load(dataDir, Data.DatasetFolder.Val));
        Console.WriteLine(FormatScores(scores));
        return 0;
    }

    static int EvalMedMoe(string runDir, string? dataDir, string split, string? outDir)
    {
        var recorded = Path.Combine(runDir, "data.txt");
        dataDir ??= File.Exists(recorded) ? File.ReadAllText(recorded).Trim() : throw new UserError("--data is required (the run does not record its dataset)");
        using var trained = MedMoeTrainer.Load(runDir);
        var scores = MedMoeEvaluation.Evaluate(trained, MedMoeSplit.Load(dataDir, split));
        Console.WriteLine(FormatScores(scores));
        var target = outDir ?? runDir;
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, $"medmoe-metrics-{split}.json"), JsonSerializer.Serialize(scores, new JsonSerializerOptions { WriteIndented = true }));
        return 0;
    }

    /// <summary>The scores as a small table.</summary>
    internal static string FormatScores(MedMoeScores s)
    {
        var c = CultureInfo.InvariantCulture;
        var lines = new List<string>
        {
            string.Create(c, $"{s.Split} ({s.Count} images): predicted modality accuracy {s.ModalityAccuracy:F3}"),
            "direction      R@1    R@5    R@10",
            string.Create(c, $"image→text   {s.ImageToText.R1,6:F3} {s.ImageToText.R5,6:F3} {s.ImageToText.R10,6:F3}"),
            string.Create(c, $"text→image   {s.TextToImage.R1,6:F3} {s.TextToImage.R5,6:F3} {s.TextToImage.R10,6:F3}"),
        };
        if (s.ZeroShot is { } z)
            lines.Add(string.Create(c, $"zero-shot findings: macro F1 {z.MacroF1:F3}, micro F1 {z.MicroF1:F3} (") +
                string.Join(", ", MedMoeEvaluation.Classes.Select((t, i) => string.Create(c, $"{t} {z.PerClass[i]:F3}"))) + ")");
        return string.Join(Environment.NewLine, lines);
    }
}

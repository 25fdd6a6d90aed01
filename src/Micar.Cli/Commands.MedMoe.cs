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

    static int TrainMedMoe(MedMoeSpec spec, string dataDir, string runDir, int? epochs, int? batch, long? seed, int? maxRows, bool overwrite,
        bool resume, bool force)
    {
        try { return TrainMedMoeRun(spec, dataDir, runDir, epochs, batch, seed, maxRows, overwrite, resume, force); }
        catch (RunFolderException e) { throw new UserError(e.Message); }
    }

    static int TrainMedMoeRun(MedMoeSpec spec, string dataDir, string runDir, int? epochs, int? batch, long? seed, int? maxRows, bool overwrite,
        bool resume, bool force)
    {
        // The run folder's guarantees of caption runs: no symbolic link inside it is followed, a second training into it
        // fails naming the holder of RUN/.lock, a non-empty folder is continued only with --resume and replaced only with
        // --overwrite, which removes MedMoE's own files and nothing else.
        if (resume && overwrite) throw new UserError("--resume continues a run and --overwrite replaces it: pass one of them");
        var folder = new RunFolder(runDir);
        folder.RefuseLinks();
        var entries = folder.Entries();
        if (resume && !entries.Any(e => e.StartsWith(MedMoeTrainer.StateDir, StringComparison.Ordinal)))
            throw new UserError($"--resume: '{runDir}' holds no MedMoE training state ({MedMoeTrainer.StateDir}/)");
        if (entries.Count > 0 && !overwrite && !resume)
            throw new UserError($"--out '{runDir}' is not empty ({string.Join(", ", entries.Take(5))}); pass --resume to continue a MedMoE run there or --overwrite to replace it");
        var own = MedMoeRunFiles.Append(Model.Checkpoint.VocabDir).Append(MedMoeTrainer.StateDir).Append(MedMoeTrainer.BestDir)
            .SelectMany(f => new[] { f, f + ".tmp", f + ".old" }).ToHashSet();
        var foreign = entries.Where(e => !own.Contains(e)).ToList();
        if (overwrite && foreign.Count > 0)
            throw new UserError($"--out '{runDir}' holds files that are not a MedMoE run's ({string.Join(", ", foreign.Take(5))}); --overwrite removes only a run's own files: choose another folder");
        MedMoeSplit.Load(dataDir, Data.DatasetFolder.Train, spec.Modalities);   // the data is checked before the folder is touched
        Directory.CreateDirectory(runDir);
        using var runLock = RunLock.Acquire(runDir);
        folder.RefuseLinks();
        if (!resume)
        {
            foreach (var f in own)
            {
                var path = folder.PathOf(f);
                if (Directory.Exists(path)) Directory.Delete(path, true);
                else File.Delete(path);
            }
            folder.WriteAllText("data.txt", Path.GetFullPath(dataDir) + "\n");
        }
        Console.WriteLine(resume ? $"resuming {runDir} on {dataDir}" : $"training {spec.Name} on {dataDir}");
        // After every epoch: RUN/last/ (the whole state, for --resume) is replaced atomically by the trainer; then the
        // checkpoint at the top of the run (what eval loads) and the history.
        bool saved = false;
        void SaveRun(MedMoeTrained t)
        {
            saved = true;
            MedMoeTrainer.Save(runDir, t);
            folder.WriteAllText("history.jsonl", string.Concat(t.History.Select(e => JsonSerializer.Serialize(e) + "\n")));
        }
        using var trained = MedMoeTrainer.Train(spec, dataDir, new MedMoeTrainOptions
        {
            Epochs = epochs, BatchSize = batch, Seed = seed, MaxTrainRows = maxRows, Log = Console.WriteLine, EpochDone = SaveRun, Force = force,
            RunDir = runDir, Resume = resume, Validate = true,
        });
        // A resumed run with no epoch left: the top-level checkpoint may predate RUN/last/ (a stop between the two saves).
        if (!saved) SaveRun(trained);
        var scores = MedMoeEvaluation.Evaluate(trained, MedMoeSplit.Load(dataDir, Data.DatasetFolder.Val, trained.Spec.Modalities));
        Console.WriteLine(FormatScores(scores));
        return 0;
    }

    static int EvalMedMoe(string runDir, string? dataDir, string split, string? outDir)
    {
        var recorded = Path.Combine(runDir, "data.txt");
        dataDir ??= File.Exists(recorded) ? File.ReadAllText(recorded).Trim() : throw new UserError("--data is required (the run does not record its dataset)");
        using var trained = MedMoeTrainer.Load(runDir);
        var scores = MedMoeEvaluation.Evaluate(trained, MedMoeSplit.Load(dataDir, split, trained.Spec.Modalities));
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

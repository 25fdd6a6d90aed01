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

    static int TrainMedMoe(MedMoeSpec spec, string dataDir, string runDir, int? epochs, int? batch, long? seed, int? maxRows, bool overwrite)
    {
        if (Directory.Exists(runDir) && Directory.EnumerateFileSystemEntries(runDir).Any())
        {
            if (!overwrite) throw new UserError($"--out '{runDir}' is not empty (pass --overwrite to replace a MedMoE run there)");
            foreach (var f in MedMoeRunFiles) File.Delete(Path.Combine(runDir, f));
            if (Directory.Exists(Path.Combine(runDir, Model.Checkpoint.VocabDir))) Directory.Delete(Path.Combine(runDir, Model.Checkpoint.VocabDir), true);
        }
        MedMoeSplit.Load(dataDir, Data.DatasetFolder.Train);            // the data is checked before the folder is touched
        Console.WriteLine($"training {spec.Name} on {dataDir}");
        using var trained = MedMoeTrainer.Train(spec, dataDir, new MedMoeTrainOptions
        {
            Epochs = epochs, BatchSize = batch, Seed = seed, MaxTrainRows = maxRows, Log = Console.WriteLine,
        });
        MedMoeTrainer.Save(runDir, trained);
        File.WriteAllLines(Path.Combine(runDir, "history.jsonl"), trained.History.Select(e => JsonSerializer.Serialize(e)));
        File.WriteAllText(Path.Combine(runDir, "data.txt"), Path.GetFullPath(dataDir) + "\n");
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

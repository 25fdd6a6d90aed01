using System.Text.Json;
using Micar.Data;
using Micar.Model;
using Micar.Spec;
using Micar.Torch;
using Micar.Torch.Optim;
using Micar.Torch.Serialization;
using Micar.Nn;

namespace Micar.Training;


/// <summary>The full state of a run after an epoch (model, optimizer, scheduler, dropout RNG, counters, and the epoch
/// history up to it), written as a checkpoint directory plus <c>optimizer.safetensors</c> and <c>trainer.json</c>;
/// replaced atomically through <see cref="RunFolder.ReplaceDirectory"/> (a complete <c>NAME.tmp</c>, then a swap).</summary>
public static class TrainerState
{
    /// <summary>Epoch counters, and the records of epochs 1..<paramref name="Epoch"/> (the source of truth for
    /// <c>metrics.jsonl</c> on resume; null in states written before it was stored).</summary>
    public sealed record Info(int Epoch, double Best, int BestEpoch, int Plateau, IReadOnlyList<EpochRecord>? History = null);

    sealed record Doc(int Epoch, double Best, int BestEpoch, int Plateau, int SchedulerLastEpoch, double[] Lr, Dictionary<string, double> Scalars,
        EpochRecord[]? History = null);

    /// <summary>Writes the state into <paramref name="dir"/>, atomically replacing it (see <see cref="RunFolder.ReplaceDirectory"/>;
    /// no symbolic link is followed inside the parent folder).</summary>
    public static void Save(string dir, Info info, ModelSpec spec, ParamStore store, Vocabulary vocab, Optimizer optimizer, StepLR scheduler, Generator rng)
    {
        var full = Path.GetFullPath(dir).TrimEnd(Path.DirectorySeparatorChar);
        new RunFolder(Path.GetDirectoryName(full)!).ReplaceDirectory(Path.GetFileName(full),
            tmp => Write(tmp, info, spec, store, vocab, optimizer, scheduler, rng), info.Epoch);
    }

    static void Write(string tmp, Info info, ModelSpec spec, ParamStore store, Vocabulary vocab, Optimizer optimizer, StepLR scheduler, Generator rng)
    {
        Checkpoint.Save(tmp, spec, store, vocab);
        var scalars = SaveOptimizer(tmp, optimizer, rng);
        var doc = new Doc(info.Epoch, double.IsNegativeInfinity(info.Best) ? -1 : info.Best, info.BestEpoch, info.Plateau,
            scheduler.LastEpoch, scheduler.LearningRates, scalars, info.History?.ToArray());
        File.WriteAllText(Path.Combine(tmp, "trainer.json"), JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Restores a state written by <see cref="Save"/> into live objects.</summary>
    public static Info Load(string dir, ParamStore store, Optimizer optimizer, StepLR scheduler, Generator rng)
    {
        var jsonPath = Path.Combine(dir, "trainer.json");
        if (!File.Exists(jsonPath)) throw new FileNotFoundException($"run state '{dir}' lacks trainer.json (the run was not saved by micar train)", jsonPath);
        var doc = JsonSerializer.Deserialize<Doc>(File.ReadAllText(jsonPath))
            ?? throw new InvalidDataException($"{jsonPath} is empty");
        // Every tensor is checked (shape, dtype, finite values) before any replaces a parameter.
        Checkpoint.CopyInto(store, Path.Combine(dir, Checkpoint.WeightsFile));
        LoadOptimizer(dir, optimizer, rng, doc.Scalars, doc.Lr);
        scheduler.LastEpoch = doc.SchedulerLastEpoch;
        return new Info(doc.Epoch, doc.Best < 0 && doc.BestEpoch == 0 ? double.NegativeInfinity : doc.Best, doc.BestEpoch, doc.Plateau, doc.History);
    }

    const string OptimizerFile = "optimizer.safetensors", RngKey = "rng.dropout";

    /// <summary>Writes the optimizer's tensors and the dropout generator's state into <c>DIR/optimizer.safetensors</c>
    /// (the caption and MedMoE trainers' run states); returns the optimizer's scalars, which the caller keeps in its JSON.</summary>
    internal static Dictionary<string, double> SaveOptimizer(string dir, Optimizer optimizer, Generator rng)
    {
        var (tensors, scalars) = optimizer.StateDict();
        using var scope = Libtorch.NewScope();
        TensorDataConversions.SaveSafetensors(Path.Combine(dir, OptimizerFile),
            tensors.Select(kv => (kv.Key, kv.Value)).Append((RngKey, rng.GetState())).ToList());
        return scalars;
    }

    /// <summary>Restores what <see cref="SaveOptimizer"/> wrote, with the scalars and the groups' learning rates
    /// <paramref name="lr"/> the caller kept.</summary>
    internal static void LoadOptimizer(string dir, Optimizer optimizer, Generator rng, IReadOnlyDictionary<string, double> scalars, double[] lr)
    {
        var path = Path.Combine(dir, OptimizerFile);
        var saved = SafetensorsFile.Load(path);
        if (!saved.TryGetValue(RngKey, out var state)) throw new InvalidDataException($"{path} lacks '{RngKey}'");
        using (var scope = Libtorch.NewScope())
        using (Autograd.NoGrad())
        {
            optimizer.LoadStateDict(saved.Where(kv => kv.Key.StartsWith("state.", StringComparison.Ordinal))
                .ToDictionary(kv => kv.Key, kv => kv.Value.ToTensor()), scalars);
            rng.SetState(state.ToTensor());
        }
        for (int g = 0; g < optimizer.Groups.Count && g < lr.Length; g++) optimizer.Groups[g].Lr = lr[g];
    }
}

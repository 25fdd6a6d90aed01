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
        var (tensors, scalars) = optimizer.StateDict();
        using (var scope = Libtorch.NewScope())
        {
            var entries = tensors.Select(kv => (kv.Key, kv.Value)).Append(("rng.dropout", rng.GetState())).ToList();
            TensorDataConversions.SaveSafetensors(Path.Combine(tmp, "optimizer.safetensors"), entries);
        }
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
        using var noGrad = Autograd.NoGrad();
        var opt = SafetensorsFile.Load(Path.Combine(dir, "optimizer.safetensors"));
        using (var scope = Libtorch.NewScope())
        {
            var tensors = opt.Where(kv => kv.Key.StartsWith("state.")).ToDictionary(kv => kv.Key, kv => kv.Value.ToTensor());
            optimizer.LoadStateDict(tensors, doc.Scalars);
            rng.SetState(opt["rng.dropout"].ToTensor());
        }
        scheduler.LastEpoch = doc.SchedulerLastEpoch;
        for (int g = 0; g < optimizer.Groups.Count && g < doc.Lr.Length; g++) optimizer.Groups[g].Lr = doc.Lr[g];
        return new Info(doc.Epoch, doc.Best < 0 && doc.BestEpoch == 0 ? double.NegativeInfinity : doc.Best, doc.BestEpoch, doc.Plateau, doc.History);
    }
}

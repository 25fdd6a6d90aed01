using System.Text;
using Micar.Data;
using Micar.Layers;
using Micar.Spec;
using Micar.Torch;
using Micar.Torch.Serialization;

namespace Micar.Model;

using Torch = Micar.Torch.Torch;

/// <summary>The differences between the tensors a description expects and the tensors a file provides.</summary>
public sealed record KeyMismatch(IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected, IReadOnlyList<string> WrongShape)
{
    /// <summary>True when nothing differs.</summary>
    public bool IsEmpty => Missing.Count == 0 && Unexpected.Count == 0 && WrongShape.Count == 0;

    /// <summary>A readable listing (first 20 of each kind).</summary>
    public string Describe(string source)
    {
        var sb = new StringBuilder($"{source} does not match the model: ");
        void List(string what, IReadOnlyList<string> keys)
        {
            if (keys.Count == 0) return;
            sb.Append($"{keys.Count} {what} ({string.Join(", ", keys.Take(20))}{(keys.Count > 20 ? ", …" : "")}); ");
        }
        List("missing", Missing);
        List("unexpected", Unexpected);
        List("wrongly shaped", WrongShape);
        return sb.ToString().TrimEnd(' ', ';');
    }
}

/// <summary>Raised when a checkpoint does not fit a model; nothing is loaded in that case.</summary>
public sealed class CheckpointMismatchException(string message, KeyMismatch mismatch) : Exception(message)
{
    /// <summary>The key differences.</summary>
    public KeyMismatch Mismatch { get; } = mismatch;
}

/// <summary>
/// Checkpoints. Micar's own format is a directory: <c>model.safetensors</c> (official state-dict keys),
/// <c>spec.json</c> and <c>vocab/{token2id,id2token}.json</c>. Official <c>model_snapshot.pth</c> files
/// (<c>{'model': state_dict}</c>) and torchvision ResNet state dicts import by name. Loading is all-or-nothing:
/// any missing, unexpected or misshaped key fails before a single tensor is replaced.
/// </summary>
public static class Checkpoint
{
    /// <summary>File name of the weights in a checkpoint directory.</summary>
    public const string WeightsFile = "model.safetensors";
    /// <summary>File name of the spec in a checkpoint directory.</summary>
    public const string SpecFile = "spec.json";
    /// <summary>Folder of the vocabulary in a checkpoint directory.</summary>
    public const string VocabDir = "vocab";

    /// <summary>Compares expected (key, shape) pairs with provided ones.</summary>
    public static KeyMismatch Compare(IEnumerable<(string Key, long[] Shape)> expected, IEnumerable<(string Key, long[] Shape)> provided)
    {
        var want = expected.ToList();
        var have = provided.ToDictionary(p => p.Key, p => p.Shape, StringComparer.Ordinal);
        var wantKeys = want.Select(w => w.Key).ToHashSet(StringComparer.Ordinal);
        var missing = want.Where(w => !have.ContainsKey(w.Key)).Select(w => w.Key).ToList();
        var wrong = want.Where(w => have.TryGetValue(w.Key, out var s) && !s.SequenceEqual(w.Shape))
            .Select(w => $"{w.Key} [{string.Join(", ", have[w.Key])}] vs [{string.Join(", ", w.Shape)}]").ToList();
        var unexpected = have.Keys.Where(k => !wantKeys.Contains(k)).ToList();
        return new KeyMismatch(missing, unexpected, wrong);
    }

    static IEnumerable<(string, long[])> Expected(ILayer model) => model.Parameters().Select(p => (p.Name, p.Shape.ToArray()));

    /// <summary>Throws <see cref="CheckpointMismatchException"/> when <paramref name="store"/> lacks or adds keys.</summary>
    public static void EnsureMatches(ILayer model, ParamStore store)
    {
        var m = Compare(Expected(model), store.Entries().Select(e => (e.Key, e.Value.Shape)));
        if (!m.IsEmpty) throw new CheckpointMismatchException(m.Describe("the parameter store"), m);
    }

    /// <summary>Builds a store for <paramref name="model"/> from named tensor data (e.g. a file's contents);
    /// fails, naming every offending key, unless the keys and shapes match exactly.</summary>
    public static ParamStore FromTensors(ILayer model, IReadOnlyDictionary<string, TensorData> tensors, string source, Device? device = null)
    {
        var infos = model.Parameters().ToList();
        var m = Compare(infos.Select(p => (p.Name, p.Shape.ToArray())), tensors.Select(kv => (kv.Key, kv.Value.Shape)));
        if (!m.IsEmpty) throw new CheckpointMismatchException(m.Describe(source), m);
        var store = new ParamStore();
        try
        {
            foreach (var info in infos)
            {
                using var scope = Torch.NewScope();
                var t = tensors[info.Name].ToTensor();
                if (t.DType != info.DType) t = t.To(info.DType);
                if (device is { Type: not DeviceType.Cpu } d) t = t.To(d);
                bool trainable = info.Kind == ParamKind.Param;
                if (trainable) t.RequiresGrad = true;
                store.Set(info.Name, t.MoveToOuterScope(), trainable);
            }
        }
        catch
        {
            store.Dispose();
            throw;
        }
        return store;
    }

    /// <summary>Imports an official <c>model_snapshot.pth</c> (<c>{'model': state_dict}</c>) or a bare state dict.</summary>
    public static ParamStore ImportPth(ILayer model, string path, Device? device = null) =>
        FromTensors(model, PthReader.ReadStateDict(path), path, device);

    /// <summary>Replaces the ResNet trunk of <paramref name="store"/> with torchvision weights (a <c>.pth</c> or
    /// <c>.safetensors</c> state dict with torchvision's names; <c>fc.*</c> ignored). All trunk keys must be present
    /// and shaped right; otherwise nothing changes.</summary>
    public static int LoadTorchvisionBackbone(ParamStore store, string path)
    {
        var source = path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)
            ? SafetensorsFile.Load(path)
            : (IReadOnlyDictionary<string, TensorData>)PthReader.ReadStateDict(path);
        var mapped = new Dictionary<string, TensorData>(StringComparer.Ordinal);
        var unexpected = new List<string>();
        foreach (var (k, v) in source)
        {
            if (k.StartsWith("fc.")) continue;
            var official = Msve.TorchvisionToOfficial(k);
            if (official is null) { unexpected.Add(k); continue; }
            mapped["vis_enc." + official] = v;
        }
        var trunk = store.Keys.Where(k => k.StartsWith("vis_enc.layer")).Select(k => (k, store[k].Shape)).ToList();
        var m = Compare(trunk, mapped.Select(kv => (kv.Key, kv.Value.Shape)));
        m = m with { Unexpected = [.. m.Unexpected, .. unexpected] };
        if (!m.IsEmpty) throw new CheckpointMismatchException(m.Describe(path), m);
        using var noGrad = Autograd.NoGrad();
        foreach (var (k, _) in trunk)
        {
            using var scope = Torch.NewScope();
            var dst = store[k];
            dst.Copy_(mapped[k].ToTensor());
        }
        return trunk.Count;
    }

    /// <summary>Writes a checkpoint directory (weights atomically, then spec and vocabulary).</summary>
    public static void Save(string dir, ModelSpec spec, ParamStore store, Vocabulary vocab, IReadOnlyDictionary<string, string>? metadata = null)
    {
        Directory.CreateDirectory(dir);
        var meta = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>()) { ["format"] = "micar-checkpoint-1", ["spec"] = spec.Name };
        TensorDataConversions.SaveSafetensors(Path.Combine(dir, WeightsFile), store.Entries(), meta);
        AtomicWrite(Path.Combine(dir, SpecFile), SpecSerializer.ToJson(spec));
        vocab.Save(Path.Combine(dir, VocabDir));
    }

    /// <summary>A loaded checkpoint directory.</summary>
    public sealed record Loaded(ModelSpec Spec, CaptionModel Model, ParamStore Params, Vocabulary Vocab)
    {
        /// <summary>The bound network.</summary>
        public CaptionNet Net() => new(Model, Params);
    }

    /// <summary>Reads a checkpoint directory written by <see cref="Save"/>; errors name the missing file or key.</summary>
    public static Loaded Load(string dir, Device? device = null)
    {
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"checkpoint directory '{dir}' does not exist");
        var specPath = Path.Combine(dir, SpecFile);
        var weights = Path.Combine(dir, WeightsFile);
        var vocabDir = Path.Combine(dir, VocabDir);
        foreach (var f in new[] { specPath, weights })
            if (!File.Exists(f)) throw new FileNotFoundException($"checkpoint '{dir}' lacks {Path.GetFileName(f)}", f);
        if (!Directory.Exists(vocabDir)) throw new DirectoryNotFoundException($"checkpoint '{dir}' lacks the vocab/ folder");
        var spec = SpecSerializer.Load(specPath);
        var model = spec.Compile();
        var vocab = Vocabulary.LoadDirectory(vocabDir);
        if (vocab.Count != model.VocabSize)
            throw new InvalidDataException($"checkpoint '{dir}': vocabulary has {vocab.Count} tokens but the spec's model has {model.VocabSize}");
        using var file = SafetensorsFile.Open(weights);
        var store = FromTensors(model, file.ReadAll(), weights, device);
        return new Loaded(spec, model, store, vocab);
    }

    static void AtomicWrite(string path, string text)
    {
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, text);
        File.Move(tmp, path, overwrite: true);
    }
}

using System.Text;
using Micar.Data;
using Micar.Layers;
using Micar.Spec;
using Micar.Torch;
using Micar.Torch.Serialization;
using Micar.Nn;

namespace Micar.Model;


/// <summary>The differences between the tensors a description expects and the tensors a file provides.</summary>
public sealed record KeyMismatch(IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected, IReadOnlyList<string> WrongShape)
{
    /// <summary>Keys whose dtype cannot be loaded into the model's (e.g. <c>w int32 vs float32</c>); see <see cref="Checkpoint.DTypeFits"/>.</summary>
    public IReadOnlyList<string> WrongDType { get; init; } = [];

    /// <summary>True when nothing differs.</summary>
    public bool IsEmpty => Missing.Count == 0 && Unexpected.Count == 0 && WrongShape.Count == 0 && WrongDType.Count == 0;

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
        List("wrongly typed", WrongDType);
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
/// any missing, unexpected, misshaped or wrongly typed key fails before any tensor data is read, and a tensor with
/// NaN or infinite values fails before a single parameter is replaced.
/// </summary>
public static partial class Checkpoint
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
    /// fails, naming every offending key, unless the keys and shapes match exactly and each dtype fits
    /// (<see cref="DTypeFits"/>), and, naming the key, when a tensor holds NaN or infinite values
    /// (<see cref="CheckTensor(string, TensorData, ParamInfo, string)"/>). Floating data of another precision is converted to the model's dtype.</summary>
    public static ParamStore FromTensors(ILayer model, IReadOnlyDictionary<string, TensorData> tensors, string source, Device? device = null)
    {
        var infos = model.Parameters().ToList();
        EnsureDescriptionsMatch(Describe(infos), tensors.Select(kv => (kv.Key, kv.Value.Shape, kv.Value.DType)).ToList(), source);
        var store = new ParamStore();
        try
        {
            foreach (var info in infos)
            {
                var data = tensors[info.Name];
                CheckTensor(info.Name, data, info, source);
                using var scope = Libtorch.NewScope();
                var t = data.ToTensor();
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

    /// <summary>Copies the tensors of a safetensors file into the live <paramref name="store"/> (same keys): every tensor is
    /// checked (present, shape, dtype, finite values) before any parameter changes.</summary>
    public static void CopyInto(ParamStore store, string weightsPath)
    {
        var weights = SafetensorsFile.Load(weightsPath);
        foreach (var key in store.Keys)
        {
            if (!weights.TryGetValue(key, out var data)) throw new KeyNotFoundException($"{weightsPath} lacks '{key}'");
            CheckTensor(key, data, store[key].Shape, store[key].DType, weightsPath);
        }
        using var noGrad = Autograd.NoGrad();
        foreach (var key in store.Keys)
        {
            using var scope = Libtorch.NewScope();
            store[key].Copy_(weights[key].ToTensor());
        }
    }

    static List<(string Key, long[] Shape, DType DType)> Describe(IEnumerable<ParamInfo> infos) =>
        infos.Select(p => (p.Name, p.Shape.ToArray(), p.DType)).ToList();

    static List<(string Key, long[] Shape, DType DType)> Describe(PthStateDict sd) =>
        sd.Tensors.Select(t => (t.Key, t.Value.Size, t.Value.DType)).ToList();

    static List<(string Key, long[] Shape, DType DType)> Describe(SafetensorsFile file) =>
        file.Keys.Select(k => file.Info(k)).Select(i => (i.Key, i.Shape, i.DType)).ToList();

    /// <summary>The storage budget for reading tensors the model expects, in the file's dtypes.</summary>
    static long PthBudget(IEnumerable<(string Key, long[] Shape, DType DType)> matched) =>
        matched.Sum(t => TensorData.NumelOf(t.Shape) * t.DType.ElementSize()) + PthStorageSlackBytes;

    /// <summary>Imports an official <c>model_snapshot.pth</c> (<c>{'model': state_dict}</c>) or a bare state dict.
    /// Keys, shapes and dtypes are compared with the model before any tensor data is read, and the storages read
    /// may not exceed the model's tensors (in the file's dtypes) by more than <see cref="PthStorageSlackBytes"/>.</summary>
    public static ParamStore ImportPth(ILayer model, string path, Device? device = null)
    {
        using var sd = PthReader.OpenStateDict(path);
        var provided = Describe(sd);
        EnsureDescriptionsMatch(Describe(model.Parameters()), provided, path);
        return FromTensors(model, sd.ReadAll(PthBudget(provided)), path, device);
    }

    /// <summary>Replaces the ResNet trunk of <paramref name="store"/> with torchvision weights (a <c>.pth</c> or
    /// <c>.safetensors</c> state dict with torchvision's names; <c>fc.*</c> ignored). All trunk keys must be present
    /// and shaped and typed right, which is checked before any data is read; the tensors read must be finite;
    /// otherwise nothing changes.</summary>
    public static int LoadTorchvisionBackbone(ParamStore store, string path)
    {
        var trunk = store.Keys.Where(k => k.StartsWith("vis_enc.layer")).Select(k => (Key: k, Shape: store[k].Shape, store[k].DType)).ToList();
        var isSafetensors = path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase);
        using var safetensors = isSafetensors ? SafetensorsFile.Open(path) : null;
        using var pth = isSafetensors ? null : PthReader.OpenStateDict(path);
        var described = safetensors is not null ? Describe(safetensors) : Describe(pth!);

        var fileKey = new Dictionary<string, string>(StringComparer.Ordinal); // official → torchvision
        var mapped = new List<(string Key, long[] Shape, DType DType)>();
        var unexpected = new List<string>();
        foreach (var (k, shape, dtype) in described)
        {
            if (k.StartsWith("fc.")) continue;
            var official = Msve.TorchvisionToOfficial(k);
            if (official is null) { unexpected.Add(k); continue; }
            fileKey["vis_enc." + official] = k;
            mapped.Add(("vis_enc." + official, shape, dtype));
        }
        var m = CompareDescriptions(trunk, mapped);
        m = m with { Unexpected = [.. m.Unexpected, .. unexpected] };
        if (!m.IsEmpty) throw new CheckpointMismatchException(m.Describe(path), m);

        IReadOnlyDictionary<string, TensorData> read = safetensors is not null
            ? trunk.ToDictionary(t => fileKey[t.Key], t => safetensors.Read(fileKey[t.Key]))
            : pth!.Read(trunk.Select(t => fileKey[t.Key]).ToList(), PthBudget(mapped));
        foreach (var (k, shape, dtype) in trunk) CheckTensor(fileKey[k], read[fileKey[k]], shape, dtype, path);
        using var noGrad = Autograd.NoGrad();
        foreach (var (k, _, _) in trunk)
        {
            using var scope = Libtorch.NewScope();
            store[k].Copy_(read[fileKey[k]].ToTensor());
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
        EnsureDescriptionsMatch(Describe(model.Parameters()), Describe(file), weights);
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

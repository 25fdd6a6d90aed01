using System.Diagnostics;
using System.Globalization;
using Micar.Data;
using Micar.Layers;
using Micar.Model;
using Micar.Nn;
using Micar.Spec;
using Micar.Torch;
using Micar.Torch.Optim;
using Micar.Torch.Serialization;

namespace Micar.Training;

/// <summary>Options of a MedMoE training run (null: the spec's value).</summary>
public sealed record MedMoeTrainOptions
{
    /// <summary>Epochs.</summary>
    public int? Epochs { get; init; }
    /// <summary>Rows per step (also the number of in-batch negatives of the contrastive terms).</summary>
    public int? BatchSize { get; init; }
    /// <summary>Seed of initialisation, shuffling and dropout.</summary>
    public long? Seed { get; init; }
    /// <summary>Use only the first rows of the training split (quick runs and tests).</summary>
    public int? MaxTrainRows { get; init; }
    /// <summary>Receives one line per epoch.</summary>
    public Action<string>? Log { get; init; }
    /// <summary>Called after each epoch with the model as it is then (owned by the trainer: save it, do not dispose it),
    /// so a run that stops later keeps its finished epochs.</summary>
    public Action<MedMoeTrained>? EpochDone { get; init; }
    /// <summary>Run folder: after every epoch the whole training state (checkpoint, AdamW state, RNG, history) replaces
    /// <c>RUN/last/</c> atomically (<see cref="RunFolder.ReplaceDirectory"/>), so <see cref="Resume"/> can continue it.
    /// Null: nothing is written.</summary>
    public string? RunDir { get; init; }
    /// <summary>Score the validation split after every epoch (<see cref="MedMoeTrainer.Score"/>): the best epoch's model
    /// goes to <c>RUN/best/</c> (with <see cref="RunDir"/>), and training stops after the spec's <c>patience</c> epochs
    /// without improvement. False: no validation, no early stopping.</summary>
    public bool Validate { get; init; }
    /// <summary>Continue the run in <see cref="RunDir"/> from its <c>last/</c> state (its spec and vocabulary, the epoch
    /// after the saved one, up to <see cref="Epochs"/> in all), as if it had not stopped.</summary>
    public bool Resume { get; init; }
    /// <summary>Train even when the decoded training images, parameters, gradients and AdamW state exceed the available
    /// memory (<see cref="MedMoeTrainer.MemoryNeeded"/>).</summary>
    public bool Force { get; init; }
}

/// <summary>One epoch's mean loss terms.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Loss">Mean weighted total loss.</param>
/// <param name="Global">Mean global (image–report) InfoNCE.</param>
/// <param name="Local">Mean local (region–word) alignment term.</param>
/// <param name="Balance">Mean MoE balance value.</param>
/// <param name="Modality">Mean modality cross-entropy.</param>
/// <param name="Seconds">Training time of the epoch.</param>
/// <param name="ValScore">The validation score (<see cref="MedMoeTrainer.Score"/>) after the epoch, when validated.</param>
public sealed record MedMoeEpoch(int Epoch, double Loss, double Global, double Local, double Balance, double Modality, double Seconds,
    double? ValScore = null);

/// <summary>A trained MedMoE model: spec (with the vocabulary size of its data), description, parameters, vocabulary.</summary>
public sealed record MedMoeTrained(MedMoeSpec Spec, MedMoeModel Model, ParamStore Params, Vocabulary Vocab, IReadOnlyList<MedMoeEpoch> History) : IDisposable
{
    /// <summary>The bound network.</summary>
    public MedMoeNet Net() => new(Model, Params);

    /// <summary>Releases the parameters.</summary>
    public void Dispose() => Params.Dispose();
}

/// <summary>
/// Trains a <see cref="MedMoeModel"/> on a dataset folder: vocabulary from the training reports, AdamW with two learning
/// rates (the visual trunk's and the rest's), the weighted <see cref="MedMoeLoss"/> with images routed by their modality
/// labels. The whole training split is decoded once and kept in memory (the CPU presets' images are small).
/// </summary>
public static class MedMoeTrainer
{
    /// <summary>Marker file of a MedMoE checkpoint folder (its spec).</summary>
    public const string SpecFile = "medmoe-spec.json";

    /// <summary>Trains <paramref name="spec"/> on <paramref name="dataDir"/>.</summary>
    public static MedMoeTrained Train(MedMoeSpec spec, string dataDir, MedMoeTrainOptions? options = null)
    {
        options ??= new MedMoeTrainOptions();
        string? resumeDir = options.Resume ? ResumeState(options.RunDir) : null;
        // Resuming: the run's own spec and vocabulary (token ids must keep their meaning).
        if (resumeDir is not null) spec = MedMoeSpec.Load(Path.Combine(resumeDir, SpecFile)).EnsureValid();
        var train = MedMoeSplit.Load(dataDir, DatasetFolder.Train, spec.Modalities);
        if (options.MaxTrainRows is { } max) train = train.Take(max);
        Vocabulary vocab;
        if (resumeDir is not null) vocab = Vocabulary.LoadDirectory(Path.Combine(resumeDir, Checkpoint.VocabDir));
        else
        {
            vocab = Vocabulary.Build(train.Reports, spec.Vocab.MinFrequency);
            spec = (spec with { Vocab = new VocabSpec { Dataset = null, Size = vocab.Count, MinFrequency = spec.Vocab.MinFrequency } }).EnsureValid();
        }
        var model = spec.Compile();
        int epochs = options.Epochs ?? spec.Training.Epochs, batch = options.BatchSize ?? spec.Training.BatchSize;
        if (epochs < 1) throw new ArgumentOutOfRangeException(nameof(options), epochs, "epochs must be at least 1");
        if (batch < 2) throw new ArgumentOutOfRangeException(nameof(options), batch, "the batch needs at least 2 rows (in-batch negatives)");
        long seed = options.Seed ?? spec.Training.Seed;
        long need = MemoryNeeded(model, train.Count, spec.Vision.ImageSize), available = AvailableMemory.Bytes();
        if (!options.Force && need > available)
            throw new MemoryBudgetException(
                $"MedMoE training of '{spec.Name}' keeps its {train.Count} training images decoded at {spec.Vision.ImageSize} px " +
                $"besides parameters, gradients and AdamW state: at least {TrainingMemory.Gib(need)}, but {TrainingMemory.Gib(available)} " +
                "is available; use --max-train-rows, a smaller spec, or --force to try anyway");
        using var g = new Generator(unchecked((ulong)seed));
        var store = ParamInit.Create(model, g);
        var history = new List<MedMoeEpoch>();
        try
        {
            var net = new MedMoeNet(model, store);
            using var images = ImageBatcher.Load(train.ImagePaths, ImageBatcher.TransformFor(spec.Vision.ImageSize)).DetachFromScope();
            var tokenizer = new Tokenizer(vocab);
            var encoded = tokenizer.EncodeBatch(train.Reports, spec.TextSeqLen);
            using var ids = Tensor.From<long>(encoded.InputIds, train.Count, spec.TextSeqLen).DetachFromScope();
            using var labels = Tensor.From(train.Modalities).DetachFromScope();
            var vision = store.Trainable().Where(t => t.Key.StartsWith("vis_enc.", StringComparison.Ordinal)).Select(t => t.Value).ToList();
            var rest = store.Trainable().Where(t => !t.Key.StartsWith("vis_enc.", StringComparison.Ordinal)).Select(t => t.Value).ToList();
            using var optimizer = new AdamW([new ParamGroup(vision, spec.Training.VisionLr), new ParamGroup(rest, spec.Training.Lr)],
                weightDecay: spec.Training.WeightDecay);
            var ctx = ForwardContext.Train(g);
            // StepLR when the spec sets a step size (the MedMoE presets keep the learning rate constant).
            var scheduler = spec.Training.StepSize is { } stepSize ? new StepLR(optimizer, stepSize, spec.Training.Gamma) : null;
            var val = options.Validate ? MedMoeSplit.Load(dataDir, DatasetFolder.Val, spec.Modalities) : null;
            var progress = new Progress(double.NegativeInfinity, 0, 0);
            int first = 1;
            if (options.RunDir is { } runDir) Directory.CreateDirectory(runDir);
            if (resumeDir is not null)
            {
                (int saved, progress) = LoadState(resumeDir, store, optimizer, scheduler, g, history);
                first = saved + 1;
                options.Log?.Invoke(saved >= epochs
                    ? $"resumed {options.RunDir}: epoch {saved} of {epochs} is already done"
                    : $"resumed {options.RunDir} after epoch {saved}; epochs {first}–{epochs} to go");
            }
            for (int epoch = first; epoch <= epochs; epoch++)
            {
                var clock = Stopwatch.StartNew();
                var order = Libtorch.Randperm(train.Count, g).ToArray<long>();
                double loss = 0, gl = 0, lo = 0, ba = 0, mo = 0;
                int steps = 0;
                for (int start = 0; start + batch <= train.Count; start += batch)        // a short last batch is dropped
                {
                    using var scope = Libtorch.NewScope();
                    var rows = Tensor.From(order[start..(start + batch)]);
                    using var l = net.Loss(images.IndexSelect(0, rows), ids.IndexSelect(0, rows), labels.IndexSelect(0, rows), spec.Loss, ctx);
                    optimizer.ZeroGrad();
                    l.Total.Backward();
                    optimizer.Step();
                    loss += l.Total.Item<float>(); gl += l.Global.Item<float>(); lo += l.Local.Item<float>();
                    ba += l.Balance.Item<float>(); mo += l.Modality.Item<float>();
                    steps++;
                }
                if (steps == 0) throw new ArgumentException($"the training split has {train.Count} rows, fewer than one batch of {batch}");
                var e = new MedMoeEpoch(epoch, loss / steps, gl / steps, lo / steps, ba / steps, mo / steps, clock.Elapsed.TotalSeconds);
                bool improved = false;
                if (val is not null)
                {
                    double score = Score(MedMoeEvaluation.Evaluate(new MedMoeTrained(spec, model, store, vocab, history), val));
                    e = e with { ValScore = score };
                    improved = score >= progress.Best;                               // a tie counts, as in the caption trainer
                    progress = improved ? new Progress(score, epoch, 0) : progress with { Plateau = progress.Plateau + 1 };
                }
                history.Add(e);
                scheduler?.Step();
                options.Log?.Invoke(string.Create(CultureInfo.InvariantCulture,
                    $"epoch {epoch}/{epochs}: loss {e.Loss:F4} (global {e.Global:F4}, local {e.Local:F4}, balance {e.Balance:F4}, modality {e.Modality:F4})") +
                    (e.ValScore is { } v ? string.Create(CultureInfo.InvariantCulture, $"  val score {v:F4}{(improved ? "  *best*" : "")}") : "") +
                    string.Create(CultureInfo.InvariantCulture, $"  {e.Seconds:F1} s"));
                var now = new MedMoeTrained(spec, model, store, vocab, history.ToList());
                if (options.RunDir is { } run)
                {
                    var folder = new RunFolder(run);
                    if (improved) folder.ReplaceDirectory(BestDir, tmp => Save(tmp, now), epoch);
                    var p = progress;
                    folder.ReplaceDirectory(StateDir, tmp => { Save(tmp, now); SaveState(tmp, optimizer, scheduler, g, history, p); }, epoch);
                }
                options.EpochDone?.Invoke(now);
                if (val is not null && progress.Plateau >= spec.Training.Patience && epoch < epochs)
                {
                    options.Log?.Invoke($"early stop after epoch {epoch}: no better validation score for {progress.Plateau} epoch(s) (best: epoch {progress.BestEpoch})");
                    break;
                }
            }
            return new MedMoeTrained(spec, model, store, vocab, history);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>The folder of a run's training state (<see cref="MedMoeTrainOptions.RunDir"/>).</summary>
    public const string StateDir = "last";

    /// <summary>The folder of the best validated epoch's checkpoint (with <see cref="MedMoeTrainOptions.Validate"/>).</summary>
    public const string BestDir = "best";

    /// <summary>The validation score that picks the best epoch: the mean of Recall@1, @5 and @10 in both directions.</summary>
    public static double Score(MedMoeScores s) =>
        (s.ImageToText.R1 + s.ImageToText.R5 + s.ImageToText.R10 + s.TextToImage.R1 + s.TextToImage.R5 + s.TextToImage.R10) / 6;

    const string StateFile = "state.json";

    /// <summary>Best validation score so far, its epoch, and epochs since.</summary>
    sealed record Progress(double Best, int BestEpoch, int Plateau);

    sealed record StateDoc(int Epoch, double[] Lr, Dictionary<string, double> Scalars, MedMoeEpoch[] History,
        double? Best = null, int BestEpoch = 0, int Plateau = 0, int SchedulerLastEpoch = 0);

    /// <summary>The run's <c>last/</c> after repairing an interrupted save; errors name what is missing.</summary>
    static string ResumeState(string? runDir)
    {
        if (runDir is null) throw new ArgumentException("resuming needs the run folder (MedMoeTrainOptions.RunDir)");
        if (!Directory.Exists(runDir)) throw new InvalidDataException($"'{runDir}' holds no MedMoE training state to resume (no such folder)");
        var folder = new RunFolder(runDir);
        folder.RecoverDirectory(StateDir, _ => true);
        var dir = folder.PathOf(StateDir);
        if (!File.Exists(Path.Combine(dir, StateFile)))
            throw new InvalidDataException($"'{runDir}' holds no MedMoE training state to resume ({StateDir}/{StateFile} is missing)");
        return dir;
    }

    static void SaveState(string dir, Optimizer optimizer, StepLR? scheduler, Generator rng, IReadOnlyList<MedMoeEpoch> history, Progress progress)
    {
        var scalars = TrainerState.SaveOptimizer(dir, optimizer, rng);
        var doc = new StateDoc(history.Count, [.. optimizer.Groups.Select(g => g.Lr)], scalars, [.. history],
            double.IsNegativeInfinity(progress.Best) ? null : progress.Best, progress.BestEpoch, progress.Plateau, scheduler?.LastEpoch ?? 0);
        File.WriteAllText(Path.Combine(dir, StateFile), System.Text.Json.JsonSerializer.Serialize(doc));
    }

    /// <summary>Restores weights, AdamW state, the schedule and the RNG; returns the saved epoch and the validation progress,
    /// and fills <paramref name="history"/>.</summary>
    static (int Epoch, Progress Progress) LoadState(string dir, ParamStore store, Optimizer optimizer, StepLR? scheduler, Generator rng,
        List<MedMoeEpoch> history)
    {
        var path = Path.Combine(dir, StateFile);
        StateDoc doc;
        try { doc = System.Text.Json.JsonSerializer.Deserialize<StateDoc>(File.ReadAllText(path)) ?? throw new InvalidDataException($"{path} is empty"); }
        catch (System.Text.Json.JsonException e) { throw new InvalidDataException($"{path}: not a MedMoE training state ({e.Message})", e); }
        Checkpoint.CopyInto(store, Path.Combine(dir, Checkpoint.WeightsFile));
        TrainerState.LoadOptimizer(dir, optimizer, rng, doc.Scalars, doc.Lr);
        if (scheduler is not null) scheduler.LastEpoch = doc.SchedulerLastEpoch;
        history.AddRange(doc.History);
        return (doc.Epoch, new Progress(doc.Best ?? double.NegativeInfinity, doc.BestEpoch, doc.Plateau));
    }

    /// <summary>A lower bound of a run's memory: the decoded training images (float32, kept for the whole run) and the
    /// parameters with their gradients and both AdamW moments.</summary>
    public static long MemoryNeeded(MedMoeModel model, int rows, int imageSize)
    {
        long parameters = model.Parameters().Sum(p => p.Numel) * sizeof(float);
        double images = (double)rows * 3 * imageSize * imageSize * sizeof(float);
        return (long)Math.Min(long.MaxValue / 2, images) + 4 * parameters;
    }

    /// <summary>Writes a checkpoint folder: <c>model.safetensors</c>, <see cref="SpecFile"/>, <c>vocab/</c>. Each file is
    /// written beside its final name and renamed over it, so a folder saved after every epoch always holds one whole
    /// checkpoint (weights of the last finished epoch).</summary>
    public static void Save(string dir, MedMoeTrained trained)
    {
        Directory.CreateDirectory(dir);
        var vocab = Path.Combine(dir, Checkpoint.VocabDir);
        var vocabTmp = vocab + ".tmp";
        if (Directory.Exists(vocabTmp)) Directory.Delete(vocabTmp, true);
        trained.Vocab.Save(vocabTmp);
        if (Directory.Exists(vocab)) Directory.Delete(vocab, true);
        Directory.Move(vocabTmp, vocab);
        RunFolder.ReplaceFile(Path.Combine(dir, SpecFile), tmp => File.WriteAllText(tmp, trained.Spec.ToJson()));
        RunFolder.ReplaceFile(Path.Combine(dir, Checkpoint.WeightsFile), tmp => TensorDataConversions.SaveSafetensors(tmp, trained.Params.Entries(),
            new Dictionary<string, string> { ["format"] = "micar-medmoe-1", ["spec"] = trained.Spec.Name }));
    }

    /// <summary>True when <paramref name="dir"/> holds a MedMoE checkpoint.</summary>
    public static bool IsCheckpoint(string dir) => File.Exists(Path.Combine(dir, SpecFile));

    /// <summary>Reads a checkpoint folder written by <see cref="Save"/>; errors name the missing file or key.</summary>
    public static MedMoeTrained Load(string dir)
    {
        var specPath = Path.Combine(dir, SpecFile);
        if (!File.Exists(specPath)) throw new FileNotFoundException($"'{dir}' is not a MedMoE checkpoint (no {SpecFile})", specPath);
        var spec = MedMoeSpec.FromJson(File.ReadAllText(specPath)).EnsureValid();
        var model = spec.Compile();
        var vocab = Vocabulary.LoadDirectory(Path.Combine(dir, Checkpoint.VocabDir));
        if (vocab.Count != spec.Vocab.ResolvedSize)
            throw new InvalidDataException($"checkpoint '{dir}': vocabulary has {vocab.Count} tokens but the spec says {spec.Vocab.ResolvedSize}");
        var weights = Path.Combine(dir, Checkpoint.WeightsFile);
        using var file = SafetensorsFile.Open(weights);
        var store = Checkpoint.FromTensors(model, file.ReadAll(), weights);
        return new MedMoeTrained(spec, model, store, vocab, []);
    }
}

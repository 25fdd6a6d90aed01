using System.Diagnostics;
using System.Text.Json;
using Micar.Data;
using Micar.Decoding;
using Micar.Layers;
using Micar.Metrics;
using Micar.Model;
using Micar.Spec;
using Micar.Torch;
using Micar.Torch.Optim;
using Micar.Nn;

namespace Micar.Training;


/// <summary>The result of a training run.</summary>
public sealed record TrainResult(string RunDir, int Epochs, double BestScore, int BestEpoch, IReadOnlyList<EpochRecord> History);

/// <summary>Raised when the loss stops being finite.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);

/// <summary>
/// The official training recipe: AdamW (amsgrad) with two learning-rate groups (vision encoder vs the rest),
/// decoupled weight decay, StepLR stepped per epoch, loss = cross-entropy ignoring padding + α·balance value,
/// validation each epoch with the official monitored score and early stopping with patience. Seeded and
/// deterministic on CPU; a checkpoint each epoch (written atomically) lets <c>--resume</c> continue exactly.
/// </summary>
public static class Trainer
{
    /// <summary>Folder (inside the run) of the best snapshot.</summary>
    public const string BestDir = "best";
    /// <summary>Folder (inside the run) of the last epoch's full state.</summary>
    public const string LastDir = "last";
    /// <summary>The per-epoch log (JSON lines).</summary>
    public const string LogFile = "metrics.jsonl";

    /// <summary>Per-step losses of the run (one JSON line per training step, <see cref="StepRecord"/>), written with each
    /// epoch's commit.</summary>
    public const string StepsFile = "steps.jsonl";

    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>Trains according to <paramref name="o"/>.</summary>
    public static TrainResult Run(TrainOptions o, CancellationToken cancel = default) => Run(o, null, cancel);

    /// <summary>Trains according to <paramref name="o"/>, then runs <paramref name="whileLocked"/> (e.g. writing the run
    /// report) while the run folder's lock is still held.</summary>
    /// <remarks>The run folder's guarantees: nothing is written into it before the data (train and val CSVs),
    /// vocabulary and spec have been checked; a non-empty folder is refused unless <see cref="TrainOptions.Resume"/> or
    /// <see cref="TrainOptions.Overwrite"/>; the whole run holds <c>RUN/.lock</c> (<see cref="RunLock"/>); no write goes
    /// through a symbolic link inside the folder (<see cref="RunFolder"/>); each epoch commits its state (<c>last/</c>,
    /// carrying the history) before <c>best/</c> is swapped in and before its <c>metrics.jsonl</c> line, so
    /// <see cref="TrainOptions.Resume"/> after a kill at any point gives every epoch exactly once.</remarks>
    /// <exception cref="RunFolderException">The run folder is not empty, is locked, holds a symbolic link, or has
    /// history but nothing to resume.</exception>
    public static TrainResult Run(TrainOptions o, Action<TrainResult>? whileLocked, CancellationToken cancel = default)
    {
        var dp = o.Parallel;
        bool lead = dp is null || dp.Rank == 0;           // rank 0 owns the run folder, validates and saves
        var log = lead ? o.Log ?? (s => Console.Error.WriteLine(s)) : _ => { };
        o.Validate();
        var folder = new RunFolder(o.RunDir);
        if (lead)
        {
            folder.RefuseLinks();
            RefuseNonEmpty(folder, o);
        }

        // Everything that can fail on the user's data is checked before anything is written into the run folder.
        var spec = o.Spec;
        var tr = spec.Training;
        int epochs = o.Epochs ?? tr.Epochs;
        int batch = o.BatchSize ?? tr.BatchSize;
        long seed = o.Seed ?? tr.Seed;
        int patience = o.Patience ?? tr.Patience;
        var train = SplitData.Load(o.DataDir, "train");
        var val = SplitData.Load(o.DataDir, "val");
        if (o.MaxTrainRows is { } mt) train = train.Take(mt);
        if (o.MaxValRows is { } mv) val = val.Take(mv);
        if (!o.Blind) { train.CheckImages(); val.CheckImages(); }

        var vocab = ResolveVocabulary(ref spec, train);
        o.Validate(vocab.Count);
        var model = spec.Compile();
        // Refuse a run that cannot fit before a single parameter is allocated.
        var memory = TrainingMemory.Estimate(spec, batch, o.FreezeVision);
        if (!o.Force)
            memory.EnsureFits(AvailableMemory.Bytes() / Math.Max(1, o.LocalProcesses),
                $"training '{spec.Name}' at batch {batch}" + (o.LocalProcesses > 1 ? $" in each of {o.LocalProcesses} processes" : ""));
        int T = model.TextSeqLen;
        var tokenizer = new Tokenizer(vocab);
        var trainText = tokenizer.EncodeBatch(train.Reports, T);
        var valText = tokenizer.EncodeBatch(val.Reports, T);
        var valRefs = val.Reports.Select(r => tokenizer.ReferenceText(r, T)).ToArray();
        var transform = ImageBatcher.TransformFor(spec.Vision.ImageSize);
        bool synthetic = new DatasetFolder(o.DataDir).IsSynthetic;

        Libtorch.ManualSeed((ulong)seed);
        using var store = ParamInit.Create(model, new Generator((ulong)seed));
        if (spec.Vision.PretrainedWeights is { } weights)
            log($"loaded {Checkpoint.LoadTorchvisionBackbone(store, weights)} backbone tensors from {weights}");
        var net = new CaptionNet(model, store);

        if (o.FreezeVision)
            foreach (var k in store.Keys.Where(k => k.StartsWith("vis_enc.")))
                if (store.IsTrainable(k)) store[k].RequiresGrad = false;
        using var optimizer = OfficialOptimizer(store, tr, o.FreezeVision);
        var scheduler = new StepLR(optimizer, tr.StepSizeFor(epochs), tr.Gamma);
        using var dropoutRng = new Generator((ulong)seed + 1 + (ulong)(dp?.Rank ?? 0));   // each rank its own dropout masks

        // From here on the run folder is ours (rank 0's): locked for the whole run, checked again under the lock.
        int startEpoch = 1;
        double best = double.NegativeInfinity;
        int bestEpoch = 0, plateau = 0;
        var history = new List<EpochRecord>();
        var lastDir = Path.Combine(o.RunDir, LastDir);
        RunLock? runLock = null;
        if (lead)
        {
            Directory.CreateDirectory(o.RunDir);
            runLock = RunLock.Acquire(o.RunDir);
            folder.RefuseLinks();
            RefuseNonEmpty(folder, o);
            if (o.Overwrite && folder.Entries().Count > 0)
            {
                log($"--overwrite: deleting the run files of {o.RunDir}");
                folder.Clear();
            }
        }
        using var heldLock = runLock;
        string? resumeDir = lead && o.Resume ? ResumeState(folder, log) : null;
        // The other ranks resume from the state rank 0 repaired (read only), or all start from rank 0's parameters.
        if (dp is not null && dp.FromRankZero(resumeDir is not null) && !lead) resumeDir = lastDir;
        if (resumeDir is { } dir)
        {
            var state = TrainerState.Load(dir, store, optimizer, scheduler, dropoutRng);
            (startEpoch, best, bestEpoch, plateau) = (state.Epoch + 1, state.Best, state.BestEpoch, state.Plateau);
            if (lead)
            {
                if (folder.RecoverDirectory(BestDir, e => e == state.BestEpoch) is { } repaired) log(repaired);
                // The state's own history is the truth; metrics.jsonl may be behind it (kill before the line was appended)
                // or ahead of it (lines of an epoch whose state was never committed, written by older versions).
                history.AddRange(state.History ?? ReadHistory(o.RunDir).Where(h => h.Epoch <= state.Epoch).GroupBy(h => h.Epoch).Select(g => g.Last()));
                folder.WriteAllText(LogFile, string.Concat(history.Select(h => JsonSerializer.Serialize(h, Json) + "\n")));
                folder.WriteAllText(StepsFile, string.Concat(ReadSteps(o.RunDir).Where(st => st.Epoch <= state.Epoch).Select(st => JsonSerializer.Serialize(st, Json) + "\n")));
                log($"resuming after epoch {state.Epoch} (best score {best:F4} at epoch {bestEpoch})");
            }
        }
        else if (lead)
        {
            if (o.Resume) log($"nothing to resume in {o.RunDir}: starting from scratch");
            folder.WriteAllText(LogFile, "");
            folder.WriteAllText(StepsFile, "");
        }
        if (dp is not null)
        {
            dp.BroadcastState(store);
            log($"data-parallel: {dp.Size} processes, {batch} rows each per step ({batch * dp.Size} in all)");
        }
        if (lead) SaveRunFiles(folder, o, spec, vocab);
        // Frozen vision encoder: calibrate batch-norm statistics on training images, then (optionally) cache tokens.
        Tensor? trainFeatures = null, valFeatures = null;
        if (o.FreezeVision)
        {
            if (startEpoch == 1 && !o.Blind) CalibrateBatchNorm(net, train, transform, o.ImageDecode, log);
            if (o.CacheFeatures)
            {
                var sw = Stopwatch.StartNew();
                // Data-parallel: each rank encodes its slice of the training images and all gather the slices (every
                // rank's shard changes each epoch); only rank 0 validates, so only it encodes the validation images.
                trainFeatures = dp is { Size: > 1 } && !o.Blind
                    ? ShardedFeatures(net, train.ImagePaths, transform, o.ImageDecode, dp)
                    : ComputeFeatures(net, train.ImagePaths, transform, o.ImageDecode, o.Blind);
                if (lead) valFeatures = ComputeFeatures(net, val.ImagePaths, transform, o.ImageDecode, o.Blind);
                log($"cached image features of {train.Count + (lead ? val.Count : 0)} images in {sw.Elapsed.TotalSeconds:F1} s" +
                    (dp is { Size: > 1 } && !o.Blind ? $" (training images shared among {dp.Size} processes)" : ""));
            }
        }

        // Without cached features, images are decoded on background workers, ahead of the training step.
        using var loader = trainFeatures is null
            ? new Data.Loading.CaptionLoader(
                new Data.Loading.CaptionDataset(train.ImagePaths.Zip(train.Reports, (p, r) => new Data.Loading.CaptionRow(p, r)).ToList(),
                    tokenizer, Data.Loading.ImagePipeline.Of(transform), T,
                    o.ImageDecode is { } decode ? new Data.Loading.CaptionDatasetOptions { Decode = decode } : null, source: train.CsvPath),
                new Data.Loading.CaptionLoaderOptions
                {
                    BatchSize = batch, Shuffle = true, Seed = (int)(seed & 0x7FFFFFFF), ShardRank = dp?.Rank ?? 0, ShardCount = dp?.Size ?? 1,
                })
            : null;
        var run = new TrainingRun(net, o, new TrainStep(net, optimizer) { GradClip = o.GradClip, FreezeVision = o.FreezeVision, Parallel = dp },
            dropoutRng, batch, seed, epochs, log, cancel)
        {
            Train = train, TrainText = trainText, TrainFeatures = trainFeatures, Loader = loader,
            Val = val, ValText = valText, ValRefs = valRefs, ValFeatures = valFeatures, Transform = transform, Tokenizer = tokenizer,
            ValidationBeam = o.ValidationBeam ?? tr.BeamWidth, Synthetic = synthetic,
        };
        try
        {
            for (int epoch = startEpoch; epoch <= epochs; epoch++)
            {
                cancel.ThrowIfCancellationRequested();
                var sw = Stopwatch.StartNew();
                var (loss, ce, lb, tokens, load, steps) = TrainEpoch(run, epoch);
                double trainSeconds = sw.Elapsed.TotalSeconds;
                scheduler.Step();
                bool stop = false;
                if (lead)
                {
                    var (valLoss, scores) = Validate(run);
                    double score = scores["score"];
                    bool isBest = score >= best;
                    if (isBest)
                    {
                        (best, bestEpoch, plateau) = (score, epoch, 0);
                        folder.PrepareDirectory(BestDir, d => Checkpoint.Save(d, spec, store, vocab), epoch);
                    }
                    else plateau++;
                    var record = new EpochRecord
                    {
                        Epoch = epoch, TrainLoss = loss, TrainCe = ce, TrainBalance = lb, ValLoss = valLoss, Val = scores,
                        Lr = scheduler.LearningRates, ExpertLoad = load, TokensPerSecond = tokens * (dp?.Size ?? 1) / trainSeconds,
                        Seconds = sw.Elapsed.TotalSeconds, Best = isBest,
                    };
                    history.Add(record);
                    // Commit order: the state (with the history) is the commit point; best/ and the log line follow it, and
                    // a resume repairs either from the state.
                    TrainerState.Save(lastDir, new TrainerState.Info(epoch, best, bestEpoch, plateau, history.ToArray()), spec, store, vocab,
                        optimizer, scheduler, dropoutRng);
                    if (isBest) folder.CommitDirectory(BestDir);
                    if (steps.Count > 0) folder.AppendLine(StepsFile, string.Join("\n", steps.Select(st => JsonSerializer.Serialize(st, Json))));
                    folder.AppendLine(LogFile, JsonSerializer.Serialize(record, Json));
                    log($"epoch {epoch}/{epochs}  loss {loss:F4}  val loss {valLoss:F4}  BLEU-4 {scores["bleu4"]:F4}  score {score:F4}" +
                        (scores.TryGetValue("finding_f1", out var f1) ? $"  finding F1 {f1:F3}" : "") +
                        $"  {record.TokensPerSecond:F0} tok/s  {record.Seconds:F1} s (validation {record.Seconds - trainSeconds:F1} s){(isBest ? "  *best*" : "")}");
                    if (plateau >= patience) { log($"early stop: no improvement for {patience} epochs"); stop = true; }
                }
                if (o.StopAfterEpochs is { } stopAfter && epoch - startEpoch + 1 >= stopAfter) stop = true;
                // The other ranks wait here while rank 0 validates and saves, then follow its decision.
                if (dp is not null) stop = dp.FromRankZero(stop);
                if (stop) break;
            }
        }
        finally
        {
            trainFeatures?.Dispose();
            valFeatures?.Dispose();
        }
        var result = new TrainResult(o.RunDir, history.Count, best, bestEpoch, history);
        whileLocked?.Invoke(result);
        return result;
    }

    /// <summary>Refuses a run folder holding anything (but its lock file) unless resuming or overwriting.</summary>
    static void RefuseNonEmpty(RunFolder folder, TrainOptions o)
    {
        if (o.Resume || o.Overwrite) return;
        var entries = folder.Entries();
        if (entries.Count > 0)
            throw new RunFolderException(o.RunDir, $"run folder '{o.RunDir}' is not empty ({string.Join(", ", entries.Take(5))}{(entries.Count > 5 ? ", …" : "")}): " +
                "pass --resume to continue its training, or --overwrite to delete its run files and start again");
    }

    /// <summary>Repairs an interrupted save of <c>last/</c> and returns it (null: nothing to resume, and nothing that
    /// would be lost by starting again).</summary>
    static string? ResumeState(RunFolder folder, Action<string> log)
    {
        if (folder.RecoverDirectory(LastDir, _ => true) is { } repaired) log(repaired);
        var last = folder.PathOf(LastDir);
        if (Directory.Exists(last)) return last;
        var kept = new[] { BestDir, BestDir + ".tmp", BestDir + ".old" }.Where(d => Directory.Exists(folder.PathOf(d))).ToList();
        if (ReadHistory(folder.Root).Count > 0) kept.Insert(0, LogFile);
        if (kept.Count > 0)
            throw new RunFolderException(folder.Root, $"--resume: run folder '{folder.Root}' has no {LastDir}/ state to continue from " +
                $"but holds {string.Join(", ", kept)}; pass --overwrite instead to delete its run files and start again");
        folder.Clear();
        return null;
    }

    static Vocabulary ResolveVocabulary(ref ModelSpec spec, SplitData train)
    {
        if (spec.Vocab.Dataset is { } ds)
        {
            var released = Vocabulary.LoadReleased(ds);
            if (spec.Vocab.Size is { } n && n != released.Count)
                throw new InvalidDataException($"spec vocab.size {n} differs from the released '{ds}' vocabulary ({released.Count} tokens)");
            return released;
        }
        var built = Vocabulary.Build(train.Reports, spec.Vocab.MinFrequency);
        if (spec.Vocab.Size is { } size && size != built.Count)
            throw new InvalidDataException($"spec vocab.size {size} differs from the vocabulary built from {train.CsvPath} ({built.Count} tokens with frequency ≥ {spec.Vocab.MinFrequency})");
        spec = spec with { Vocab = spec.Vocab with { Size = built.Count } };
        return built;
    }

    static void SaveRunFiles(RunFolder folder, TrainOptions o, ModelSpec spec, Vocabulary vocab)
    {
        folder.WriteAllText(RunFolder.SpecFile, SpecSerializer.ToJson(spec));
        folder.RecoverDirectory(RunFolder.VocabDir, _ => false);
        folder.ReplaceDirectory(RunFolder.VocabDir, vocab.Save, 0);
        var args = new { o.DataDir, o.Epochs, o.BatchSize, o.Seed, o.FreezeVision, o.CacheFeatures, o.GradClip, o.Blind, o.MaxTrainRows, o.MaxValRows, o.ValidationBeam };
        folder.WriteAllText(RunFolder.OptionsFile, JsonSerializer.Serialize(args, new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Reads the per-step log of a run (empty when there is none); a last line cut short is left out.</summary>
    public static List<StepRecord> ReadSteps(string runDir) => ReadJsonLines<StepRecord>(Path.Combine(runDir, StepsFile), "a step record");

    /// <summary>Reads the epoch log of a run. A last line without its newline (an append cut short) is left out.</summary>
    public static List<EpochRecord> ReadHistory(string runDir) => ReadJsonLines<EpochRecord>(Path.Combine(runDir, LogFile), "an epoch record");

    /// <summary>The records of a JSON-lines file (none when it is absent). A last line without its newline (an append cut
    /// short) is left out; a malformed line is an error naming the file and line.</summary>
    static List<T> ReadJsonLines<T>(string path, string what)
    {
        if (!File.Exists(path)) return [];
        var text = File.ReadAllText(path);
        var lines = text.Split('\n');
        var complete = text.EndsWith('\n') ? lines : lines[..^1];
        return complete.Select((l, i) => (Line: l, Number: i + 1)).Where(l => l.Line.Length > 0).Select(l =>
        {
            try { return JsonSerializer.Deserialize<T>(l.Line, Json)!; }
            catch (JsonException e) { throw new InvalidDataException($"{path}, line {l.Number}: not {what} ({e.Message})", e); }
        }).ToList();
    }

    static void CalibrateBatchNorm(CaptionNet net, SplitData train, Data.Images.ImageTransform transform,
        Data.Images.ImageDecodeOptions? decode, Action<string> log)
    {
        using var noGrad = Autograd.NoGrad();
        int n = Math.Min(train.Count, 256), bs = 32, k = 0;
        for (int start = 0; start < n; start += bs, k++)
        {
            using var scope = Libtorch.NewScope();
            var images = ImageBatcher.Load(train.ImagePaths[start..Math.Min(n, start + bs)], transform, decodeOptions: decode);
            // Momentum 1/(k+1) makes the running statistics the plain average over the calibration batches.
            net.VisionFeatures(images, new ForwardContext { Training = true, BatchNormMomentum = 1.0 / (k + 1) });
        }
        log($"calibrated vision batch-norm statistics on {n} training images");
    }

    static Tensor ComputeFeatures(CaptionNet net, string[] paths, Data.Images.ImageTransform transform,
        Data.Images.ImageDecodeOptions? decode, bool blind)
    {
        using var noGrad = Autograd.NoGrad();
        var parts = new List<Tensor>();
        using (var scope = Libtorch.NewScope())
        {
            if (blind)
            {
                // Every image is zero: one forward pass gives every row's tokens.
                var one = net.VisionFeatures(ImageBatcher.Load(paths[..1], transform, blank: true), ForwardContext.Eval);
                return one.Expand(paths.Length, -1, -1).Contiguous().DetachFromScope();
            }
            for (int start = 0; start < paths.Length; start += 32)
            {
                var images = ImageBatcher.Load(paths[start..Math.Min(paths.Length, start + 32)], transform, blind, decode);
                parts.Add(net.VisionFeatures(images, ForwardContext.Eval));
            }
            return Libtorch.Cat(parts.ToArray(), 0).DetachFromScope();
        }
    }

    /// <summary>The features of every path, each rank encoding a contiguous slice of ⌈n / ranks⌉ (the last ones padded
    /// with zeros) and all gathering the slices.</summary>
    internal static Tensor ShardedFeatures(CaptionNet net, string[] paths, Data.Images.ImageTransform transform,
        Data.Images.ImageDecodeOptions? decode, DataParallel dp)
    {
        int per = (paths.Length + dp.Size - 1) / dp.Size;
        int start = Math.Min(paths.Length, dp.Rank * per), end = Math.Min(paths.Length, start + per);
        using var scope = Libtorch.NewScope();
        // A rank left without images still needs the token shape: it encodes the first image and sends zeros.
        var mine = ComputeFeatures(net, end > start ? paths[start..end] : paths[..1], transform, decode, blind: false);
        var slice = Libtorch.Zeros([per, mine.Shape[1], mine.Shape[2]], mine.DType);
        if (end > start) slice.Narrow(0, 0, end - start).Copy_(mine);
        mine.Dispose();
        var all = dp.Group.AllGather(slice);
        return Libtorch.Cat(all, 0).Narrow(0, 0, paths.Length).Contiguous().DetachFromScope();
    }

    /// <summary>The cached image tokens of <paramref name="rows"/> (null when the features are not cached).</summary>
    static Tensor? FeatureRows(Tensor? features, int[] rows) =>
        features?.IndexSelect(0, Tensor.From<long>(rows.Select(r => (long)r).ToArray()));

    static (Tensor Ids, Tensor Mask, Tensor Labels) TextBatch(EncodedBatch text, int[] rows, int T)
    {
        var ids = new long[rows.Length * T];
        var mask = new long[rows.Length * T];
        var labels = new long[rows.Length * T];
        for (int i = 0; i < rows.Length; i++)
        {
            Array.Copy(text.InputIds, rows[i] * T, ids, i * T, T);
            Array.Copy(text.PadMask, rows[i] * T, mask, i * T, T);
            Array.Copy(text.LabelIds, rows[i] * T, labels, i * T, T);
        }
        return (Tensor.From<long>(ids, rows.Length, T), Tensor.From<long>(mask, rows.Length, T), Tensor.From<long>(labels, rows.Length, T));
    }

    /// <summary>One training batch: rows, image memory source and text tensors.</summary>
    sealed record StepInput(int[] Rows, Tensor? Images, Tensor Ids, Tensor Mask, Tensor Labels);

    static IEnumerable<StepInput> Batches(TrainOptions o, EncodedBatch text, Tensor? features, Data.Loading.CaptionLoader? loader,
        int count, int batch, long seed, int epoch, int T, CancellationToken cancel)
    {
        if (loader is not null)
        {
            foreach (var b in loader.Epoch(epoch, cancel))
            {
                using (b)
                {
                    var images = o.Blind ? Libtorch.ZerosLike(b.Images) : b.Images.Alias();
                    yield return new StepInput(b.RowIndices, images, b.InputIds.Alias(), b.PadMask.Alias(), b.Labels.Alias());
                }
            }
            yield break;
        }
        var order = Data.Loading.LoaderSeed.Permutation(count, (int)(seed & 0x7FFFFFFF), epoch);
        if (o.Parallel is { Size: > 1 } dp) order = Data.Loading.LoaderSeed.Shard(order, dp.Rank, dp.Size);
        for (int s = 0; s * batch < order.Length; s++)
        {
            var rows = order.Skip(s * batch).Take(batch).ToArray();
            var (ids, mask, labels) = TextBatch(text, rows, T);
            yield return new StepInput(rows, null, ids, mask, labels);
        }
    }

    static (double Loss, double Ce, double Lb, long Tokens, double[][] Load, List<StepRecord> Steps) TrainEpoch(TrainingRun run, int epoch)
    {
        var (net, o, cancel) = (run.Net, run.Options, run.Cancel);
        int T = net.Description.TextSeqLen;
        var counter = new RoutingLoadCounter();
        var ctx = new ForwardContext { Training = true, Rng = run.Rng, Trace = counter, FusionConv = o.FusionConv };
        double lossSum = 0, ceSum = 0, lbSum = 0;
        long tokens = 0;
        int shardRows = o.Parallel is { Size: > 1 } dp ? (run.Train.Count + dp.Size - 1) / dp.Size : run.Train.Count;
        int steps = (shardRows + run.Batch - 1) / run.Batch, s = 0, seen = 0;
        var sw = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        var stepRecords = new List<StepRecord>();
        using var epochScope = Libtorch.NewScope();
        foreach (var input in Batches(o, run.TrainText, run.TrainFeatures, run.Loader, run.Train.Count, run.Batch, run.Seed, epoch, T, cancel))
        {
            cancel.ThrowIfCancellationRequested();
            using var scope = Libtorch.NewScope();
            var rows = input.Rows;
            var features = FeatureRows(run.TrainFeatures, rows);
            var r = run.Step.Run(features is null ? input.Images : null, features, input.Ids, input.Mask, input.Labels, ctx, lv =>
            {
                if (!double.IsFinite(lv))
                    throw new TrainingDivergedException($"the training loss became {lv} at epoch {epoch}, step {s + 1} (rows {string.Join(",", rows.Take(4))}…); lower the learning rate or enable --grad-clip");
            });
            double stepLoss = r.Loss.Item(), stepCe = r.CrossEntropy.Item(), stepLb = r.Balance.Item();
            lossSum += stepLoss * rows.Length;
            ceSum += stepCe * rows.Length;
            lbSum += stepLb * rows.Length;
            stepRecords.Add(new StepRecord { Epoch = epoch, Step = s + 1, Steps = steps, Loss = stepLoss, Ce = stepCe, Balance = stepLb });
            tokens += input.Mask.Sum().Item<long>();
            seen += rows.Length;
            s++;
            input.Images?.Dispose(); input.Ids.Dispose(); input.Mask.Dispose(); input.Labels.Dispose();
            if (sw.Elapsed - lastReport > o.ProgressInterval || s == steps)
            {
                lastReport = sw.Elapsed;
                double rate = s / sw.Elapsed.TotalSeconds;
                double eta = (steps - s) / Math.Max(rate, 1e-9);
                run.Log($"  epoch {epoch}/{run.Epochs}  [{Bar(s, steps)}] {s}/{steps}  loss {lossSum / Math.Max(1, seen):F4}  {tokens / sw.Elapsed.TotalSeconds:F0} tok/s  ETA {eta:F0} s");
            }
        }
        int n = Math.Max(1, seen);
        return (lossSum / n, ceSum / n, lbSum / n, tokens, counter.Fractions(), stepRecords);
    }

    static string Bar(int done, int total)
    {
        int w = 20, filled = (int)Math.Round(w * (double)done / total);
        return new string('#', filled) + new string('.', w - filled);
    }

    /// <summary>The official optimizer: AdamW (amsgrad, betas 0.9/0.999, eps 1e-8) with two groups, the vision encoder
    /// (<c>vis_enc.*</c>) at <see cref="TrainingSpec.VisionLr"/> (left out when <paramref name="freezeVision"/>) and
    /// everything else at <see cref="TrainingSpec.Lr"/>, weight decay on every parameter.</summary>
    public static AdamW OfficialOptimizer(ParamStore store, TrainingSpec tr, bool freezeVision = false)
    {
        var visionParams = store.Trainable().Where(p => p.Key.StartsWith("vis_enc.", StringComparison.Ordinal) && !freezeVision).Select(p => p.Value).ToList();
        var otherParams = store.Trainable().Where(p => !p.Key.StartsWith("vis_enc.", StringComparison.Ordinal)).Select(p => p.Value).ToList();
        var groups = new List<ParamGroup>();
        if (visionParams.Count > 0) groups.Add(new ParamGroup(visionParams, tr.VisionLr, name: "vision"));
        groups.Add(new ParamGroup(otherParams, tr.Lr, name: "rest"));
        return new AdamW(groups, weightDecay: tr.WeightDecay, amsgrad: true);
    }

    /// <summary>Most validation images decoded together (their image memories are concatenated).</summary>
    const int ValidationDecodeRows = 256;

    static (double Loss, Dictionary<string, double> Scores) Validate(TrainingRun run)
    {
        var (net, o, val, features) = (run.Net, run.Options, run.Val, run.ValFeatures);
        using var noGrad = Autograd.NoGrad();
        int T = net.Description.TextSeqLen;
        double lossSum = 0;
        var preds = new string[val.Count];
        var memories = new List<Tensor>();     // image memory of every validation row, decoded in large batches below
        var sw = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        // A progress line every ProgressInterval (5 s), as training prints them: the loss pass, then the decoding.
        void Report(string what, double done)
        {
            if (sw.Elapsed - lastReport < o.ProgressInterval && done < 1) return;
            lastReport = sw.Elapsed;
            double eta = done > 0 ? sw.Elapsed.TotalSeconds * (1 - done) / done : double.NaN;
            run.Log($"  validation [{Bar((int)Math.Round(done * 1000), 1000)}] {what}  {sw.Elapsed.TotalSeconds:F0} s" + (done is > 0 and < 1 ? $"  ETA {eta:F0} s" : ""));
        }
        try
        {
            for (int start = 0; start < val.Count; start += run.Batch)
            {
                Report($"loss {start}/{val.Count} rows", 0.25 * start / val.Count);
                using var scope = Libtorch.NewScope();
                var rows = Enumerable.Range(start, Math.Min(run.Batch, val.Count - start)).ToArray();
                var (ids, mask, labels) = TextBatch(run.ValText, rows, T);
                var images = features is null ? ImageBatcher.Load(rows.Select(r => val.ImagePaths[r]).ToArray(), run.Transform, o.Blind, o.ImageDecode) : null;
                var memory = FeatureRows(features, rows) is { } cached
                    ? net.EncodeTokens(net.Project(cached), ForwardContext.Eval)
                    : net.EncodeImage(images!, ForwardContext.Eval);
                var r = net.Decode(ids, memory, mask, ForwardContext.Eval);
                var (_, ce) = CaptionLoss.Of(r, labels, 0);
                lossSum += CaptionLoss.Value(net.Description, ce.Item(), r.BalanceLoss.Item()) * rows.Length;
                memories.Add(memory.DetachFromScope());
            }
            // Decoding cost per step is mostly per-operation overhead for small models: one step for up to
            // ValidationDecodeRows images at once instead of one per training batch (each row's tokens are unchanged).
            int row = 0;
            for (int first = 0; first < memories.Count;)
            {
                using var scope = Libtorch.NewScope();
                int last = first, rows = 0;
                while (last < memories.Count && (rows == 0 || rows + memories[last].Size(0) <= ValidationDecodeRows)) rows += (int)memories[last++].Size(0);
                var memory = last - first == 1 ? memories[first] : Libtorch.Cat(memories.GetRange(first, last - first).ToArray(), 0);
                int before = row;
                var hyps = ReportDecoder.GenerateFromMemory(net, memory, new DecodeOptions
                {
                    BeamWidth = run.ValidationBeam,
                    Progress = p => Report($"decoding {before + p.Finished}/{val.Count} reports, step {p.Step}/{p.MaxSteps}",
                        0.25 + 0.75 * (before + rows * Math.Max((double)p.Finished / p.Images, (double)p.Step / p.MaxSteps)) / val.Count),
                });
                for (int i = 0; i < rows; i++) preds[row + i] = run.Tokenizer.Decode(hyps[i].Tokens);
                row += rows;
                first = last;
            }
        }
        finally
        {
            foreach (var m in memories) m.Dispose();
        }
        return (lossSum / val.Count, Scoring.Score(preds, run.ValRefs, run.Synthetic));
    }
}

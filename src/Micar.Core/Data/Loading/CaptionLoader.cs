namespace Micar.Data.Loading;

/// <summary>
/// Produces the batches of a <see cref="CaptionDataset"/>, epoch by epoch: images decoded and transformed on
/// background worker threads, reports tokenized, the results stacked into <see cref="CaptionBatch"/> tensors and
/// handed over in order through a bounded queue.
/// </summary>
/// <remarks>
/// <para>
/// Order: without <see cref="CaptionLoaderOptions.Shuffle"/>, dataset order; with it, epoch e visits
/// <see cref="LoaderSeed.Permutation"/>(count, seed, e) — a new order every epoch, the same one whenever the
/// seed and epoch are the same. The rows are then cut into batches of
/// <see cref="CaptionLoaderOptions.BatchSize"/>, the partial last one kept or dropped
/// (<see cref="CaptionLoaderOptions.LastBatch"/>). A training augmentation draws from
/// <c>new Random(LoaderSeed.Row(seed, epoch, row))</c>. The batches are therefore a function of the dataset,
/// the options and the epoch alone, whatever the number of workers and however the threads are scheduled.
/// </para>
/// <para>
/// Errors: an exception loading a row — <see cref="Images.ImageDecodeException"/> naming the file for a missing,
/// unreadable or undecodable image — is rethrown on the consuming thread, with its original type and stack,
/// when the batch holding the row is reached (the earliest failing row of that batch, whatever the timing). Cancelling the token passed to
/// <see cref="Epoch"/> makes the enumeration throw <see cref="OperationCanceledException"/>. Leaving an epoch
/// early (<c>break</c>, an exception, disposing the enumerator) stops and joins its workers and frees the
/// batches prepared in advance; so does disposing the loader.
/// </para>
/// <para>
/// Ownership: every batch handed out belongs to the caller, who disposes it (its tensors are in no
/// <see cref="Micar.Torch.DisposeScope"/>). Typical use:
/// <code>foreach (var batch in loader.Epoch(e, token)) using (batch) { Step(batch); }</code>
/// </para>
/// </remarks>
public sealed class CaptionLoader : IDisposable
{
    private readonly List<EpochRun> _runs = [];
    private int _activeWorkers;
    private bool _disposed;

    /// <summary>Creates a loader over <paramref name="dataset"/> (options default to <see cref="CaptionLoaderOptions"/>'s defaults).</summary>
    public CaptionLoader(CaptionDataset dataset, CaptionLoaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        options ??= new CaptionLoaderOptions();
        options.Validate();
        Dataset = dataset;
        Options = options;
    }

    /// <summary>The rows loaded.</summary>
    public CaptionDataset Dataset { get; }

    /// <summary>Batch size, order, workers and prefetching.</summary>
    public CaptionLoaderOptions Options { get; }

    /// <summary>Batches per epoch: ⌈n / b⌉ when keeping the last partial batch, ⌊n / b⌋ when dropping it.</summary>
    public int BatchCount => Options.LastBatch == LastBatchPolicy.Keep
        ? (ShardLength + Options.BatchSize - 1) / Options.BatchSize
        : ShardLength / Options.BatchSize;

    /// <summary>Rows this process visits per epoch: the whole dataset, or its shard (⌈n / shards⌉).</summary>
    int ShardLength => (Dataset.Count + Options.ShardCount - 1) / Options.ShardCount;

    /// <summary>Worker threads currently running, over all epochs in progress (diagnostics).</summary>
    public int ActiveWorkers => Volatile.Read(ref _activeWorkers);

    /// <summary>The order in which epoch <paramref name="epoch"/> visits the dataset rows (before batching); this process's
    /// shard of it in data-parallel training.</summary>
    public int[] Order(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        var order = Options.Shuffle
            ? LoaderSeed.Permutation(Dataset.Count, Options.Seed, epoch)
            : Enumerable.Range(0, Dataset.Count).ToArray();
        return Options.ShardCount == 1 ? order : LoaderSeed.Shard(order, Options.ShardRank, Options.ShardCount);
    }

    /// <summary>The rows of each batch of epoch <paramref name="epoch"/>, as positions in <see cref="CaptionDataset.Rows"/>.</summary>
    public int[][] Batches(int epoch)
    {
        var order = Order(epoch);
        var batches = new int[BatchCount][];
        for (var i = 0; i < batches.Length; i++)
        {
            var start = i * Options.BatchSize;
            batches[i] = order[start..Math.Min(start + Options.BatchSize, order.Length)];
        }
        return batches;
    }

    /// <summary>
    /// The batches of epoch <paramref name="epoch"/> (0-based), loaded in the background once enumeration starts.
    /// Each batch belongs to the caller, who disposes it.
    /// </summary>
    /// <exception cref="OperationCanceledException">(while enumerating) <paramref name="cancellation"/> fired.</exception>
    /// <exception cref="ObjectDisposedException">The loader was disposed.</exception>
    public IEnumerable<CaptionBatch> Epoch(int epoch, CancellationToken cancellation = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var batches = Batches(epoch);
        return Options.Workers == 0 ? Sequential(batches, epoch, cancellation) : Background(batches, epoch, cancellation);
    }

    /// <summary>Stops every epoch in progress (their enumerations then throw <see cref="ObjectDisposedException"/>) and waits for its workers.</summary>
    public void Dispose()
    {
        EpochRun[] runs;
        lock (_runs)
        {
            _disposed = true;
            runs = _runs.ToArray();
        }
        foreach (var run in runs)
            run.Dispose();
    }

    internal void WorkerStarted() => Interlocked.Increment(ref _activeWorkers);

    internal void WorkerExited() => Interlocked.Decrement(ref _activeWorkers);

    private IEnumerable<CaptionBatch> Background(int[][] batches, int epoch, CancellationToken cancellation)
    {
        EpochRun run;
        lock (_runs)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            run = new EpochRun(this, batches, epoch, cancellation);
            _runs.Add(run);
        }
        try
        {
            for (var i = 0; i < batches.Length; i++)
                yield return run.Next();
        }
        finally
        {
            run.Dispose();
            lock (_runs)
                _runs.Remove(run);
        }
    }

    private IEnumerable<CaptionBatch> Sequential(int[][] batches, int epoch, CancellationToken cancellation)
    {
        foreach (var rows in batches)
        {
            cancellation.ThrowIfCancellationRequested();
            ObjectDisposedException.ThrowIf(_disposed, this);
            yield return LoadOnThisThread(rows, epoch);
        }
    }

    private CaptionBatch LoadOnThisThread(int[] rows, int epoch)
    {
        var batch = CaptionBatch.Allocate(Dataset, rows);
        try
        {
            for (var slot = 0; slot < rows.Length; slot++)
            {
                var random = Dataset.Images.IsRandom ? new Random(LoaderSeed.Row(Options.Seed, epoch, rows[slot])) : null;
                batch.Fill(Dataset, slot, random);
            }
            return batch;
        }
        catch
        {
            batch.Dispose();
            throw;
        }
    }
}

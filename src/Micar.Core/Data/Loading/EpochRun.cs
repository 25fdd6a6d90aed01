using System.Runtime.ExceptionServices;

namespace Micar.Data.Loading;

/// <summary>
/// One epoch of a <see cref="CaptionLoader"/> with background workers. Workers claim rows one at a time in
/// batch order (so they cooperate on the earliest unfinished batch) and write each into its fixed slot of the
/// batch's tensors; the consumer takes batches strictly in order. Which thread loads which row therefore never
/// changes the result. Workers never open a batch more than <see cref="CaptionLoaderOptions.Prefetch"/> ahead
/// of the consumer.
/// </summary>
/// <remarks>
/// A failing row marks its batch as failed; the remaining rows of that batch are not loaded, and the consumer
/// receives the exception of the failing row with the lowest slot when it reaches that batch (rows are claimed
/// in slot order, so that is deterministic too). Everything shared is guarded by one monitor.
/// </remarks>
internal sealed class EpochRun : IDisposable
{
    private readonly CaptionLoader _loader;
    private readonly CaptionDataset _dataset;
    private readonly int[][] _batches;
    private readonly int _epoch;
    private readonly int _seed;
    private readonly int _prefetch;
    private readonly CancellationToken _cancellation;
    private readonly object _gate = new();
    private readonly Pending?[] _pending;
    private readonly Thread[] _threads;
    private readonly CancellationTokenRegistration _registration;
    private int _claimBatch;
    private int _claimSlot;
    private int _consumed;
    private bool _stopping;
    private int _disposed;

    public EpochRun(CaptionLoader loader, int[][] batches, int epoch, CancellationToken cancellation)
    {
        _loader = loader;
        _dataset = loader.Dataset;
        _batches = batches;
        _epoch = epoch;
        _seed = loader.Options.Seed;
        _prefetch = loader.Options.Prefetch;
        _cancellation = cancellation;
        _pending = new Pending?[batches.Length];
        var rows = batches.Sum(b => b.Length);
        _threads = new Thread[Math.Min(loader.Options.Workers, rows)];
        _registration = cancellation.Register(Stop);
        for (var i = 0; i < _threads.Length; i++)
        {
            _threads[i] = new Thread(Work) { IsBackground = true, Name = $"micar-loader-{i}" };
            _loader.WorkerStarted();
            _threads[i].Start();
        }
    }

    /// <summary>Waits for the next batch in order and hands it (and its ownership) to the caller.</summary>
    /// <exception cref="OperationCanceledException">The cancellation token fired.</exception>
    /// <exception cref="ObjectDisposedException">The loader or this run was disposed.</exception>
    /// <exception cref="Images.ImageDecodeException">A row of the batch could not be loaded (or whatever else loading it threw).</exception>
    public CaptionBatch Next()
    {
        Pending taken;
        lock (_gate)
        {
            while (true)
            {
                _cancellation.ThrowIfCancellationRequested();
                ObjectDisposedException.ThrowIf(_stopping, typeof(CaptionLoader));
                if (_consumed >= _batches.Length)
                    throw new InvalidOperationException("the epoch has no more batches");
                if (_pending[_consumed] is { Remaining: 0 } ready)
                {
                    taken = ready;
                    _pending[_consumed++] = null;
                    Monitor.PulseAll(_gate);
                    break;
                }
                Monitor.Wait(_gate);
            }
        }
        if (taken.Error is { } error)
        {
            taken.Batch?.Dispose();
            error.Throw();
        }
        return taken.Batch!;
    }

    /// <summary>Stops the workers, waits for them to exit and frees the batches nobody took.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _registration.Dispose();
        Stop();
        foreach (var thread in _threads)
            thread.Join();
        lock (_gate)
        {
            for (var i = 0; i < _pending.Length; i++)
            {
                _pending[i]?.Batch?.Dispose();
                _pending[i] = null;
            }
        }
    }

    private void Stop()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.PulseAll(_gate);
        }
    }

    private void Work()
    {
        try
        {
            while (Claim(out var pending, out var slot))
            {
                Exception? failure = null;
                try
                {
                    var batch = pending.Batch!;
                    var random = _dataset.Images.IsRandom ? new Random(LoaderSeed.Row(_seed, _epoch, batch.RowIndices[slot])) : null;
                    batch.Fill(_dataset, slot, random);
                }
                catch (Exception e)
                {
                    failure = e;
                }
                Complete(pending, slot, failure);
            }
        }
        finally
        {
            _loader.WorkerExited();
        }
    }

    /// <summary>The next row to load, in batch order; false when stopping or when every row has been claimed.</summary>
    private bool Claim(out Pending pending, out int slot)
    {
        lock (_gate)
        {
            while (true)
            {
                if (_stopping || _claimBatch >= _batches.Length)
                {
                    (pending, slot) = (null!, -1);
                    return false;
                }
                if (_claimBatch >= _consumed + _prefetch)
                {
                    Monitor.Wait(_gate);
                    continue;
                }
                var index = _claimBatch;
                var current = _pending[index] ??= Open(_batches[index]);
                var claimed = _claimSlot;
                if (current.Batch is null || ++_claimSlot == _batches[index].Length)
                {
                    _claimBatch++;
                    _claimSlot = 0;
                }
                if (current.Batch is null)
                {
                    Monitor.PulseAll(_gate);
                    continue;
                }
                if (current.Error is not null)
                {
                    // The batch already failed: account for the row without loading it.
                    if (--current.Remaining == 0)
                        Monitor.PulseAll(_gate);
                    continue;
                }
                (pending, slot) = (current, claimed);
                return true;
            }
        }
    }

    private void Complete(Pending pending, int slot, Exception? failure)
    {
        lock (_gate)
        {
            if (failure is not null && slot < pending.ErrorSlot)
            {
                pending.Error = ExceptionDispatchInfo.Capture(failure);
                pending.ErrorSlot = slot;
            }
            if (--pending.Remaining == 0)
                Monitor.PulseAll(_gate);
        }
    }

    private Pending Open(int[] rows)
    {
        try
        {
            return new Pending { Batch = CaptionBatch.Allocate(_dataset, rows), Remaining = rows.Length };
        }
        catch (Exception e)
        {
            return new Pending { Error = ExceptionDispatchInfo.Capture(e), ErrorSlot = -1, Remaining = 0 };
        }
    }

    /// <summary>A batch being loaded: its tensors, rows not finished yet, and the first failure.</summary>
    private sealed class Pending
    {
        public CaptionBatch? Batch { get; init; }

        public int Remaining { get; set; }

        public ExceptionDispatchInfo? Error { get; set; }

        public int ErrorSlot { get; set; } = int.MaxValue;
    }
}

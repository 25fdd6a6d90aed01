using System.Diagnostics;
using Micar.Nn;
using Micar.Torch;
using Micar.Torch.Distributed;

namespace Micar.Training;

/// <summary>
/// Data-parallel training over a c10d <see cref="ProcessGroup"/> (PyTorch's DDP): every rank starts from rank 0's
/// parameters and buffers; each backward pass sums the gradients across ranks in buckets of about
/// <see cref="BucketBytes"/> (flattened, one all-reduce per bucket, last parameters first as DDP fills them), so every
/// rank's optimizer makes the same update. With <see cref="Overlap"/> (the default) the buckets are reduced by c10d's
/// own <see cref="GradientReducer"/> while backward is still running, as DDP does; without it, after backward ends. A
/// parameter that received no gradient on any rank (an expert no token chose) keeps none, exactly as in one process;
/// one that did on some rank gets the sum.
/// </summary>
/// <param name="group">The process group (one per training process).</param>
public sealed class DataParallel(ProcessGroup group) : IDisposable
{
    GradientReducer? _reducer;

    /// <summary>The group.</summary>
    public ProcessGroup Group { get; } = group;

    /// <summary>This process's rank.</summary>
    public int Rank => Group.Rank;

    /// <summary>Number of processes.</summary>
    public int Size => Group.Size;

    /// <summary>Gradient bucket size (default 25 MiB, as DDP's <c>bucket_cap_mb</c>).</summary>
    public long BucketBytes { get; init; } = 25L << 20;

    /// <summary>Reduce gradient buckets during backward, as they fill (c10d's Reducer, DDP's engine); false: after
    /// backward, one bucket after another (the communication then adds to the step's time).</summary>
    public bool Overlap { get; init; } = true;

    /// <summary>Statistics of batch norms in training mode over the global batch (<c>SyncBatchNorm</c>): the training
    /// step passes <see cref="Group"/> to every batch norm through <see cref="ForwardContext.SyncBatchNorm"/>. False:
    /// each rank normalises by its own shard's statistics (DDP's default).</summary>
    public bool SyncBatchNorm { get; init; }

    /// <summary>Buckets of the current reducer (0 before the first overlapped backward pass).</summary>
    public int ReducerBuckets => _reducer?.BucketCount ?? 0;

    /// <summary>Bytes of gradients all-reduced so far (for benchmarks).</summary>
    public long BytesReduced { get; private set; }

    /// <summary>Time spent in collectives outside backward so far (with <see cref="Overlap"/> the gradient all-reduces
    /// run during backward and are not counted).</summary>
    public TimeSpan CommunicationTime { get; private set; }

    /// <summary>Copies rank 0's tensors (parameters and buffers, in store order) into every rank's.</summary>
    public void BroadcastState(ParamStore store)
    {
        var sw = Stopwatch.StartNew();
        using var noGrad = Autograd.NoGrad();
        Group.Broadcast([.. store.Entries().Select(e => e.Value)], root: 0);
        CommunicationTime += sw.Elapsed;
    }

    /// <summary>The sum over ranks of a count (e.g. the non-pad tokens of each rank's batch).</summary>
    public long Sum(long local)
    {
        var sw = Stopwatch.StartNew();
        using var t = Tensor.From<long>([local], [1]);
        Group.AllReduce(t);
        CommunicationTime += sw.Elapsed;
        return t.ToArray<long>()[0];
    }

    /// <summary>True on every rank when <paramref name="flag"/> is true on rank 0 (decisions rank 0 takes alone, such as
    /// early stopping after its validation).</summary>
    public bool FromRankZero(bool flag)
    {
        using var t = Tensor.From<long>([flag ? 1 : 0], [1]);
        Group.Broadcast([t], root: 0);
        return t.ToArray<long>()[0] != 0;
    }

    /// <summary>Backward from <paramref name="loss"/> with the gradients of <paramref name="parameters"/> summed across
    /// ranks when it returns (overlapped or after, by <see cref="Overlap"/>). Every rank calls it once per step with
    /// the same parameters in the same order.</summary>
    public void Backward(IReadOnlyList<Tensor> parameters, Tensor loss)
    {
        if (!Overlap)
        {
            loss.Backward();
            ReduceGradients(parameters);
            return;
        }
        var reducer = ReducerFor(parameters);
        reducer.Prepare(loss);
        loss.Backward();
        BytesReduced += reducer.BytesPerStep;
    }

    GradientReducer ReducerFor(IReadOnlyList<Tensor> parameters)
    {
        if (_reducer is { } r && r.Parameters.Count == parameters.Count && r.Parameters.Zip(parameters).All(p => ReferenceEquals(p.First, p.Second)))
            return r;
        _reducer?.Dispose();
        return _reducer = new GradientReducer(Group, parameters, BucketBytes, firstBucketBytes: Math.Min(BucketBytes, 1L << 20));
    }

    /// <summary>Sums the gradients of <paramref name="parameters"/> across ranks, in place, bucket by bucket.</summary>
    public void ReduceGradients(IReadOnlyList<Tensor> parameters)
    {
        var sw = Stopwatch.StartNew();
        using var scope = Libtorch.NewScope();
        using var noGrad = Autograd.NoGrad();
        // Which parameters have a gradient on some rank: those without one anywhere stay without (AdamW skips them).
        var local = parameters.Select(p => p.Grad).ToArray();             // one handle per gradient (a native call each)
        var has = Tensor.From<long>([.. local.Select(g => g is null ? 0L : 1L)], [parameters.Count]);
        Group.AllReduce(has);
        var used = has.ToArray<long>();
        var grads = new List<Tensor>();
        for (int i = parameters.Count - 1; i >= 0; i--)                   // last layers first, as backward produces them
        {
            if (used[i] == 0) continue;
            if (local[i] is null) parameters[i].Grad = local[i] = Libtorch.ZerosLike(parameters[i]);
            grads.Add(local[i]!);
        }
        foreach (var bucket in Buckets(grads))
        {
            Group.AllReduce(bucket);                                          // one flattened all-reduce per bucket
            BytesReduced += bucket.Sum(g => g.Numel * g.DType.ElementSize());
        }
        CommunicationTime += sw.Elapsed;
    }

    IEnumerable<List<Tensor>> Buckets(List<Tensor> grads)
    {
        var bucket = new List<Tensor>();
        long bytes = 0;
        foreach (var g in grads)
        {
            // One dtype per bucket (the flattened buffer has one).
            if (bucket.Count > 0 && (bytes >= BucketBytes || g.DType != bucket[0].DType))
            {
                yield return bucket;
                (bucket, bytes) = ([], 0);
            }
            bucket.Add(g);
            bytes += g.Numel * g.DType.ElementSize();
        }
        if (bucket.Count > 0) yield return bucket;
    }

    /// <summary>Removes the reducer's hooks from the parameters.</summary>
    public void Dispose()
    {
        _reducer?.Dispose();
        _reducer = null;
    }
}

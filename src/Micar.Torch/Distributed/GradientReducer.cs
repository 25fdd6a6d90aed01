using Micar.Torch.Native;

namespace Micar.Torch.Distributed;

/// <summary>
/// c10d's <c>Reducer</c>, the engine of PyTorch's <c>DistributedDataParallel</c>, over a fixed list of parameters:
/// gradients are copied into flat buckets by autograd hooks as backward produces them, and each full bucket is summed
/// across the group while backward goes on, so communication overlaps computation. After <see cref="Prepare"/> and a
/// backward pass from the prepared output, every parameter's <c>.Grad</c> holds the sum over ranks (not the mean: weight
/// each rank's loss instead). Buckets as DDP forms them: a first of <c>firstBucketBytes</c>, then <c>bucketBytes</c>
/// each, last parameters first. With <c>findUnused</c>, <see cref="Prepare"/> searches the graph for parameters backward
/// will not reach (experts no token chose) and marks them ready, so every bucket completes; a parameter no rank used
/// keeps no gradient. Parameters must require gradients and stay the same tensors for the reducer's life.
/// </summary>
public sealed unsafe class GradientReducer : IDisposable
{
    IntPtr _handle;
    readonly Tensor[] _parameters;

    /// <summary>Attaches a reducer to <paramref name="parameters"/> (trainable, in the same order on every rank).</summary>
    public GradientReducer(ProcessGroup group, IReadOnlyList<Tensor> parameters, long bucketBytes = 25L << 20,
        long firstBucketBytes = 1L << 20, bool findUnused = true)
    {
        if (parameters.Count == 0) throw new ArgumentException("a reducer needs at least one parameter", nameof(parameters));
        if (bucketBytes <= 0) throw new ArgumentOutOfRangeException(nameof(bucketBytes), bucketBytes, "bucket size must be positive");
        if (firstBucketBytes <= 0) throw new ArgumentOutOfRangeException(nameof(firstBucketBytes), firstBucketBytes, "bucket size must be positive");
        _parameters = [.. parameters];
        var hs = new IntPtr[_parameters.Length];
        for (int k = 0; k < hs.Length; k++) hs[k] = _parameters[k].Handle;
        fixed (IntPtr* p = hs)
            DistributedMethods.Check(DistributedMethods.mt_reducer_new(group.NativeHandle, p, hs.Length, bucketBytes, firstBucketBytes,
                findUnused ? 1 : 0, out _handle), $"gradient reducer on rank {group.Rank}");
        Group = group;
        DistributedMethods.Check(DistributedMethods.mt_reducer_bucket_count(_handle, out int count), "gradient reducer buckets");
        BucketCount = count;
    }

    /// <summary>The group the gradients are summed over.</summary>
    public ProcessGroup Group { get; }

    /// <summary>The parameters, in the order given.</summary>
    public IReadOnlyList<Tensor> Parameters => _parameters;

    /// <summary>Number of buckets (one all-reduce each per backward pass).</summary>
    public int BucketCount { get; }

    /// <summary>Bytes all-reduced per backward pass (every parameter's gradient, used or not).</summary>
    public long BytesPerStep => _parameters.Sum(p => p.Numel * p.DType.ElementSize());

    IntPtr Handle => _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(GradientReducer));

    /// <summary>Arms the hooks for the next backward pass from <paramref name="outputs"/> (call after the forward pass,
    /// before <c>Backward</c>; every rank once per step).</summary>
    public void Prepare(params Tensor[] outputs)
    {
        var hs = stackalloc IntPtr[outputs.Length];
        for (int k = 0; k < outputs.Length; k++) hs[k] = outputs[k].Handle;
        DistributedMethods.Check(DistributedMethods.mt_reducer_prepare(Handle, hs, outputs.Length), $"preparing the gradient reduction on rank {Group.Rank}");
        GC.KeepAlive(outputs);
    }

    /// <summary>Removes the hooks.</summary>
    public void Dispose()
    {
        if (_handle == IntPtr.Zero) return;
        DistributedMethods.mt_reducer_free(_handle);
        _handle = IntPtr.Zero;
    }
}

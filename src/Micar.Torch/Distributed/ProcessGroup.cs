using Micar.Torch.Native;

namespace Micar.Torch.Distributed;

/// <summary>Reductions of <see cref="ProcessGroup.AllReduce(IReadOnlyList{Tensor}, ReduceOp)"/> (c10d's <c>ReduceOp</c>).</summary>
public enum ReduceOp
{
    /// <summary>Elementwise sum.</summary>
    Sum = 0,
    /// <summary>Elementwise mean: the sum divided by the world size (Gloo has no native average).</summary>
    Avg = 1,
    /// <summary>Elementwise product.</summary>
    Product = 2,
    /// <summary>Elementwise minimum.</summary>
    Min = 3,
    /// <summary>Elementwise maximum.</summary>
    Max = 4,
}

/// <summary>
/// A c10d process group over Gloo (CPU tensors): <c>torch.distributed</c>'s collectives between <see cref="Size"/>
/// processes, this one being <see cref="Rank"/>. Every collective waits for its work up to the group's timeout and
/// throws <see cref="DistributedException"/> when a peer died or stalled, so a run never hangs on a lost worker.
/// </summary>
public sealed unsafe class ProcessGroup : IDisposable
{
    IntPtr _handle;

    ProcessGroup(IntPtr handle, int rank, int size, TimeSpan timeout) => (_handle, Rank, Size, Timeout) = (handle, rank, size, timeout);

    /// <summary>This process's rank, 0 … Size−1.</summary>
    public int Rank { get; }

    /// <summary>Number of processes.</summary>
    public int Size { get; }

    /// <summary>How long a collective may wait for the others.</summary>
    public TimeSpan Timeout { get; }

    IntPtr Handle => _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(ProcessGroup));

    /// <summary>Joins the Gloo group of <paramref name="size"/> processes meeting in <paramref name="store"/> (every rank
    /// calls this; it returns once all have). <paramref name="hostname"/>: the interface to bind (null: this machine's
    /// hostname, as torch.distributed does; <c>127.0.0.1</c> for one machine).</summary>
    public static ProcessGroup Gloo(Store store, int rank, int size, TimeSpan timeout, string? hostname = null)
    {
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, "a group has at least one process");
        if (rank < 0 || rank >= size) throw new ArgumentOutOfRangeException(nameof(rank), rank, $"rank must lie in 0..{size - 1}");
        IntPtr g;
        fixed (byte* h = DistributedMethods.Utf8(hostname ?? ""))
            DistributedMethods.Check(DistributedMethods.mt_pg_gloo(store.Handle, rank, size, (long)timeout.TotalMilliseconds, h, out g),
                $"joining the Gloo group as rank {rank} of {size}");
        return new ProcessGroup(g, rank, size, timeout);
    }

    /// <summary>Reduces every tensor in place across the group. Tensors of one dtype travel together: flattened into
    /// one buffer, one collective, copied back (PyTorch's coalesced collectives).</summary>
    public void AllReduce(IReadOnlyList<Tensor> tensors, ReduceOp op = ReduceOp.Sum)
    {
        Coalesced(tensors, flat =>
        {
            var h = flat.Handle;
            DistributedMethods.Check(DistributedMethods.mt_pg_allreduce(Handle, &h, 1, op == ReduceOp.Avg ? 0 : (int)op), $"allreduce on rank {Rank}");
            if (op == ReduceOp.Avg && Size > 1) flat.Div_(Size);
        });
    }

    /// <summary>Reduces one tensor in place.</summary>
    public void AllReduce(Tensor tensor, ReduceOp op = ReduceOp.Sum) => AllReduce([tensor], op);

    /// <summary>Copies <paramref name="root"/>'s tensors into every other rank's (in place; coalesced by dtype as
    /// <see cref="AllReduce(IReadOnlyList{Tensor}, ReduceOp)"/>).</summary>
    public void Broadcast(IReadOnlyList<Tensor> tensors, int root = 0)
    {
        if (root < 0 || root >= Size) throw new ArgumentOutOfRangeException(nameof(root), root, $"root must lie in 0..{Size - 1}");
        Coalesced(tensors, flat =>
        {
            var h = flat.Handle;
            DistributedMethods.Check(DistributedMethods.mt_pg_broadcast(Handle, &h, 1, root), $"broadcast from rank {root}");
        });
    }

    /// <summary>Runs <paramref name="collective"/> once per dtype on the tensors of that dtype flattened into one buffer,
    /// then copies the results back into the tensors.</summary>
    static void Coalesced(IReadOnlyList<Tensor> tensors, Action<Tensor> collective)
    {
        using var scope = Libtorch.NewScope();
        using var noGrad = Autograd.NoGrad();
        foreach (var group in tensors.GroupBy(t => t.DType))
        {
            var list = group.ToList();
            var flat = list.Count == 1 ? list[0].Reshape(-1).Clone() : Libtorch.Cat([.. list.Select(t => t.Reshape(-1))], 0);
            collective(flat);
            long offset = 0;
            foreach (var t in list)
            {
                t.Copy_(flat.Narrow(0, offset, t.Numel).View(t.Shape));
                offset += t.Numel;
            }
        }
    }

    /// <summary>The sum of <paramref name="x"/> over the group as an operation autograd differentiates (a new tensor; the
    /// gradient of every rank's input is the sum of the ranks' output gradients): statistics over the global batch, as
    /// SyncBatchNorm computes them. Every rank must call it at the same point of its forward pass.</summary>
    public Tensor SumDifferentiable(Tensor x)
    {
        DistributedMethods.Check(DistributedMethods.mt_pg_allreduce_autograd(Handle, x.Handle, out var y), $"differentiable allreduce on rank {Rank}");
        GC.KeepAlive(x);
        return Tensor.FromHandle(y);
    }

    internal IntPtr NativeHandle => Handle;

    /// <summary>Every rank's <paramref name="input"/>, in rank order (each shaped like the input).</summary>
    public Tensor[] AllGather(Tensor input)
    {
        var outputs = new Tensor[Size];
        for (int r = 0; r < Size; r++) outputs[r] = Libtorch.EmptyLike(input);
        var handles = stackalloc IntPtr[Size];
        for (int r = 0; r < Size; r++) handles[r] = outputs[r].Handle;
        DistributedMethods.Check(DistributedMethods.mt_pg_allgather(Handle, input.Handle, handles, Size), $"allgather on rank {Rank}");
        return outputs;
    }

    /// <summary>Waits until every rank has reached this point.</summary>
    public void Barrier() => DistributedMethods.Check(DistributedMethods.mt_pg_barrier(Handle), $"barrier on rank {Rank}");

    /// <summary>Leaves the group.</summary>
    public void Dispose()
    {
        if (_handle == IntPtr.Zero) return;
        DistributedMethods.mt_pg_free(_handle);
        _handle = IntPtr.Zero;
    }
}

using System.Runtime.InteropServices;
using Micar.Torch.Native;

namespace Micar.Torch;

/// <summary>Entry point of the binding (PyTorch's <c>torch</c> namespace): version, threads, devices,
/// seeding, scopes and tensor creation.</summary>
public static partial class Libtorch
{
    /// <summary>Version of the libtorch the native shim was built against, e.g. <c>1.13.0</c>.</summary>
    public static string Version
    {
        get
        {
            NativeMethods.EnsureLoaded();
            return Marshal.PtrToStringUTF8(NativeMethods.mt_version()) ?? "?";
        }
    }

    /// <summary>libtorch's build configuration and parallel settings (<c>torch.__config__.show()</c> +
    /// <c>parallel_info()</c>).</summary>
    public static string Config
    {
        get
        {
            NativeMethods.EnsureLoaded();
            NativeMethods.Check(NativeMethods.mt_config(out var p));
            return NativeMethods.TakeString(p);
        }
    }

    /// <summary>Number of intra-op threads libtorch uses.</summary>
    public static int Threads
    {
        get { NativeMethods.EnsureLoaded(); return NativeMethods.mt_get_num_threads(); }
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), value, "thread count must be ≥ 1");
            NativeMethods.EnsureLoaded();
            NativeMethods.mt_set_num_threads(value);
        }
    }

    /// <summary>
    /// Most bytes of freed large CPU blocks (≥ 1 MiB) kept for reuse by tensors of the same size, or of up to half
    /// that size (the block's tail is given back). glibc gives every allocation above 32 MiB fresh pages and unmaps
    /// them on free, so without this cache each training step faults in and zeroes all its large activations again
    /// (on the COVCTR step a third of the wall time was spent so). Whatever the limit, live + cached bytes stay within
    /// the high-water mark of live bytes (see <see cref="HostCacheStatistics"/>). Setting a limit installs Micar's host
    /// allocator for libtorch (once per process); 0 frees the cached blocks and stops caching. Read: the current
    /// limit, 0 when the allocator was never installed.
    /// </summary>
    public static long HostCacheLimit
    {
        get
        {
            NativeMethods.Check(NativeMethods.mt_host_cache_stats(out _, out _, out var limit, out _, out _, out _));
            return limit;
        }
        set
        {
            if (value < 0) throw new ArgumentOutOfRangeException(nameof(value), value, "host cache limit must not be negative");
            NativeMethods.Check(NativeMethods.mt_host_cache_set_limit(value));
        }
    }

    /// <summary>One consistent snapshot of the host cache (large blocks only; all zero before it is installed).</summary>
    public static HostCacheStatistics HostCacheStats()
    {
        NativeMethods.Check(NativeMethods.mt_host_cache_stats(out var held, out var blocks, out _, out var live, out var peak, out var fresh));
        return new(held, blocks, live, peak, fresh);
    }

    /// <summary>Restarts the host cache's high-water mark of live bytes from the bytes live now, freeing its cached
    /// blocks (e.g. after a phase that needed more memory than the ones that follow).</summary>
    public static void ResetHostCachePeak() => NativeMethods.Check(NativeMethods.mt_host_cache_reset_peak());

    /// <summary>Sets the number of inter-op threads (only before any parallel work has started).</summary>
    public static void SetInteropThreads(int n) => NativeMethods.Check(NativeMethods.mt_set_num_interop_threads(n));

    /// <summary>True when libtorch was built with CUDA and a GPU is visible.</summary>
    public static bool CudaIsAvailable
    {
        get { NativeMethods.EnsureLoaded(); return NativeMethods.mt_cuda_is_available() != 0; }
    }

    /// <summary>Number of visible CUDA devices.</summary>
    public static int CudaDeviceCount
    {
        get { NativeMethods.EnsureLoaded(); return NativeMethods.mt_cuda_device_count(); }
    }

    /// <summary>Waits for all kernels on a CUDA device (−1: the current one).</summary>
    public static void CudaSynchronize(int device = -1) => NativeMethods.Check(NativeMethods.mt_cuda_synchronize(device));

    /// <summary>Peak bytes allocated by libtorch's CUDA caching allocator since the last
    /// <see cref="CudaResetPeakMemory"/> (<c>torch.cuda.max_memory_allocated</c>); fails when the shim was built
    /// against a libtorch without CUDA.</summary>
    public static long CudaPeakMemoryBytes(int device = -1)
    {
        NativeMethods.EnsureLoaded();
        NativeMethods.Check(NativeMethods.mt_cuda_memory_stats(device, out _, out var peak, out _));
        return peak;
    }

    /// <summary>Restarts <see cref="CudaPeakMemoryBytes"/> from the bytes allocated now.</summary>
    public static void CudaResetPeakMemory(int device = -1)
    {
        NativeMethods.EnsureLoaded();
        NativeMethods.Check(NativeMethods.mt_cuda_reset_peak_memory(device));
    }

    /// <summary>Seeds the default generators of every device (PyTorch's <c>torch.manual_seed</c>).</summary>
    public static void ManualSeed(ulong seed)
    {
        NativeMethods.EnsureLoaded();
        NativeMethods.Check(NativeMethods.mt_manual_seed(seed));
    }

    /// <summary>Opens a disposal scope: tensors created on this thread until it is disposed are freed with it.</summary>
    public static DisposeScope NewScope() => new();

    // ------------------------------------------------------------------------------------------------
    // Creation

    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(long[] shape, DType dtype = DType.Float32, Device? device = null) =>
        Ops.Zeros.Call(shape, dtype, Arg.None, Arg.Of(device));
    /// <summary>A tensor of ones.</summary>
    public static Tensor Ones(long[] shape, DType dtype = DType.Float32, Device? device = null) =>
        Ops.Ones.Call(shape, dtype, Arg.None, Arg.Of(device));
    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(long[] shape, double value, DType dtype = DType.Float32, Device? device = null) =>
        Ops.Full.Call(shape, value, dtype, Arg.None, Arg.Of(device));
    /// <summary>An uninitialised tensor.</summary>
    public static Tensor Empty(long[] shape, DType dtype = DType.Float32, Device? device = null) =>
        Ops.Empty.Call(shape, dtype, Arg.None, Arg.Of(device));
    /// <summary>Zeros shaped like <paramref name="t"/>.</summary>
    public static Tensor ZerosLike(Tensor t) => Ops.ZerosLike.Call(t);
    /// <summary>Ones shaped like <paramref name="t"/>.</summary>
    public static Tensor OnesLike(Tensor t) => Ops.OnesLike.Call(t);
    /// <summary>An uninitialised tensor shaped like <paramref name="t"/>.</summary>
    public static Tensor EmptyLike(Tensor t) => Ops.EmptyLike.Call(t);
    /// <summary>A constant tensor shaped like <paramref name="t"/>.</summary>
    public static Tensor FullLike(Tensor t, double value) => Ops.FullLike.Call(t, value);
    /// <summary>Values start, start+step, … below end (int64 for integral arguments unless a dtype is given).</summary>
    public static Tensor Arange(double start, double end, double step = 1, DType? dtype = null, Device? device = null)
    {
        bool integral = start == Math.Floor(start) && end == Math.Floor(end) && step == Math.Floor(step);
        var dt = dtype ?? (integral ? DType.Int64 : DType.Float32);
        return Ops.ArangeStartStep.Call(start, end, step, dt, Arg.None, Arg.Of(device));
    }
    /// <summary>Values 0, 1, …, end−1 as int64.</summary>
    public static Tensor Arange(long end, DType dtype = DType.Int64, Device? device = null) =>
        Ops.ArangeStartStep.Call(0L, end, 1L, dtype, Arg.None, Arg.Of(device));
    /// <summary>The n×n identity.</summary>
    public static Tensor Eye(long n, DType dtype = DType.Float32, Device? device = null) => Ops.Eye.Call(n, dtype, Arg.None, Arg.Of(device));
    /// <summary>U[0,1) samples.</summary>
    public static Tensor Rand(long[] shape, Generator? generator = null, DType dtype = DType.Float32, Device? device = null) =>
        Ops.Rand.Call(shape, generator, dtype, Arg.None, Arg.Of(device));
    /// <summary>N(0,1) samples.</summary>
    public static Tensor Randn(long[] shape, Generator? generator = null, DType dtype = DType.Float32, Device? device = null) =>
        Ops.Randn.Call(shape, generator, dtype, Arg.None, Arg.Of(device));
    /// <summary>Uniform integers in [low, high).</summary>
    public static Tensor Randint(long low, long high, long[] shape, Generator? generator = null, DType dtype = DType.Int64, Device? device = null) =>
        Ops.RandintLow.Call(low, high, shape, generator, dtype, Arg.None, Arg.Of(device));
    /// <summary>A random permutation of 0..n−1.</summary>
    public static Tensor Randperm(long n, Generator? generator = null, Device? device = null) =>
        Ops.Randperm.Call(n, generator, DType.Int64, Arg.None, Arg.Of(device));

    /// <summary>A float32 tensor from values and a shape.</summary>
    public static Tensor Tensor(float[] values, params long[] shape) =>
        Micar.Torch.Tensor.From<float>(values, shape.Length == 0 ? [values.Length] : shape);
    /// <summary>An int64 tensor from values and a shape.</summary>
    public static Tensor Tensor(long[] values, params long[] shape) =>
        Micar.Torch.Tensor.From<long>(values, shape.Length == 0 ? [values.Length] : shape);
    /// <summary>A float32 scalar (0-d) tensor.</summary>
    public static Tensor Scalar(float value) => Micar.Torch.Tensor.From<float>([value], []);

    // ------------------------------------------------------------------------------------------------
    // Combination

    /// <summary>Concatenates along an existing dimension.</summary>
    public static Tensor Cat(Tensor[] tensors, long dim = 0) => Ops.Cat.Call(tensors, dim);
    /// <summary>Stacks along a new dimension.</summary>
    public static Tensor Stack(Tensor[] tensors, long dim = 0) => Ops.Stack.Call(tensors, dim);
    /// <summary>Element-wise choice: <paramref name="a"/> where <paramref name="condition"/>, else <paramref name="b"/>.</summary>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b) => Ops.Where.Call(condition, a, b);
    /// <summary>Einstein summation, e.g. <c>Einsum("bhqd,bhkd->bhqk", q, k)</c>.</summary>
    public static Tensor Einsum(string equation, params Tensor[] operands) => Ops.Einsum.Call(equation, operands);

    /// <summary>Calls any ATen operator by schema name and overload, e.g.
    /// <c>Libtorch.Call("aten::hardtanh", "", x, -1.0, 1.0)</c>; returns every result.</summary>
    public static object?[] Call(string name, string overload, params Arg[] args) => new Op(name, overload).CallAny(args);
}

/// <summary>The host cache's counters (blocks of at least 1 MiB). The cache keeps <c>LiveBytes + HeldBytes</c> within
/// <c>PeakLiveBytes</c>: it never makes the process hold more than it needed at its busiest.</summary>
/// <param name="HeldBytes">Bytes of freed blocks kept for reuse.</param>
/// <param name="Blocks">Blocks it manages, live and cached.</param>
/// <param name="LiveBytes">Bytes of blocks in use.</param>
/// <param name="PeakLiveBytes">High-water mark of <paramref name="LiveBytes"/> (see <see cref="Libtorch.ResetHostCachePeak"/>).</param>
/// <param name="FreshAllocations">Requests served with new memory instead of a cached block.</param>
public readonly record struct HostCacheStatistics(long HeldBytes, long Blocks, long LiveBytes, long PeakLiveBytes, long FreshAllocations);

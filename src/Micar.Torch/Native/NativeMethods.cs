using System.Reflection;
using System.Runtime.InteropServices;
using Micar.Torch;

namespace Micar.Torch.Native;

/// <summary>Tagged value crossing the C ABI (layout fixed by <c>native/micar_native.cpp</c>).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct MtArg
{
    public int Tag;
    public int Aux;
    public long I;
    public double D;
    public IntPtr P;
}

/// <summary>Argument/result tags of the shim.</summary>
internal static class MtTag
{
    public const int None = 0, Tensor = 1, Int = 2, Double = 3, Bool = 4, IntList = 5, DoubleList = 6,
        TensorList = 7, String = 8, Device = 9, Generator = 10, OptTensorList = 11, BoolList = 12, Default = 13;
}

/// <summary>P/Invoke declarations of the shim. Every int-returning call reports failure as 1.</summary>
internal static unsafe class NativeMethods
{
    public const string Lib = "micar_native";

    static NativeMethods()
    {
        NativeLibrary.SetDllImportResolver(typeof(NativeMethods).Assembly, Resolve);
    }

    /// <summary>Forces the static constructor (resolver registration) before the first call.</summary>
    public static void EnsureLoaded() { }

    [DllImport("libc", EntryPoint = "setenv")]
    static extern int SetEnv(string name, string value, int overwrite);

    static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != Lib) return IntPtr.Zero;
        // OpenMP threads that spin while waiting make every op crawl when the machine has more runnable threads
        // than cores (parallel tests, data-loading workers, other processes). Sleep instead, unless the user chose.
        // Must happen before libtorch (and libgomp, which reads it once) is loaded; .NET's own
        // Environment.SetEnvironmentVariable does not reach the native environment on Unix.
        if (Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is null) SetEnv("OMP_WAIT_POLICY", "PASSIVE", 0);
        var explicitPath = Environment.GetEnvironmentVariable("MICAR_NATIVE_LIB");
        if (!string.IsNullOrEmpty(explicitPath))
        {
            if (!File.Exists(explicitPath))
                throw new DllNotFoundException($"MICAR_NATIVE_LIB points to '{explicitPath}', which does not exist.");
            return Configure(NativeLibrary.Load(explicitPath));
        }
        foreach (var dir in CandidateDirs(assembly))
        {
            var candidate = Path.Combine(dir, "libmicar_native.so");
            if (File.Exists(candidate)) return Configure(NativeLibrary.Load(candidate));
        }
        throw new DllNotFoundException(
            "libmicar_native.so was not found next to the Micar assemblies nor in native/build of the source tree. " +
            "Run scripts/bootstrap (it builds the shim), or set MICAR_NATIVE_LIB to the library's path.");
    }

    /// <summary>Default host-cache limit (see <see cref="Libtorch.HostCacheLimit"/>): <c>MICAR_HOST_CACHE_MB</c> when set
    /// (0 = libtorch's allocator untouched), else an eighth of the memory available to the process, at most 4 GiB.</summary>
    static long DefaultHostCacheBytes()
    {
        var env = Environment.GetEnvironmentVariable("MICAR_HOST_CACHE_MB");
        if (!string.IsNullOrWhiteSpace(env))
        {
            if (!long.TryParse(env, out var mb) || mb < 0)
                throw new ArgumentException($"MICAR_HOST_CACHE_MB must be a whole number of MiB ≥ 0, not '{env}'");
            return mb << 20;
        }
        return Math.Min(4L << 30, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 8);
    }

    /// <summary>Installs the host cache right after the library loads (through its export, not a P/Invoke: this runs
    /// inside the resolver).</summary>
    static unsafe IntPtr Configure(IntPtr handle)
    {
        long bytes = DefaultHostCacheBytes();
        if (bytes > 0 && NativeLibrary.TryGetExport(handle, "mt_host_cache_set_limit", out var f))
            ((delegate* unmanaged<long, int>)f)(bytes);
        return handle;
    }

    static IEnumerable<string> CandidateDirs(Assembly assembly)
    {
        var here = Path.GetDirectoryName(assembly.Location);
        if (!string.IsNullOrEmpty(here)) yield return here;
        yield return AppContext.BaseDirectory;
        // Running from a source checkout (dotnet fsi scripts, notebooks): walk up to native/build.
        for (var dir = new DirectoryInfo(here ?? AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            var build = Path.Combine(dir.FullName, "native", "build");
            if (Directory.Exists(build)) { yield return build; yield break; }
        }
    }

    [DllImport(Lib)] public static extern IntPtr mt_last_error();
    [DllImport(Lib)] public static extern void mt_free(IntPtr p);
    [DllImport(Lib)] public static extern IntPtr mt_version();
    [DllImport(Lib)] public static extern int mt_config(out IntPtr text);

    [DllImport(Lib)] public static extern int mt_op_find(byte* name, byte* overload, out IntPtr op);
    [DllImport(Lib)] public static extern int mt_op_schema(IntPtr op, out IntPtr text);
    [DllImport(Lib)] public static extern int mt_op_call(IntPtr op, MtArg* args, int nargs, MtArg* results, int maxResults, out int nresults);

    [DllImport(Lib)] public static extern void mt_tensor_free(IntPtr t);
    [DllImport(Lib)] public static extern int mt_tensor_info(IntPtr t, out int dtype, out int ndim, out int deviceType, out int deviceIndex, out int requiresGrad);
    [DllImport(Lib)] public static extern int mt_tensor_shape(IntPtr t, long* sizes, long* strides, int max);
    [DllImport(Lib)] public static extern int mt_tensor_from_data(void* data, int dtype, long* shape, int ndim, int deviceType, int deviceIndex, out IntPtr result);
    [DllImport(Lib)] public static extern int mt_tensor_data_ptr(IntPtr t, out IntPtr data);
    [DllImport(Lib)] public static extern int mt_tensor_copy_out(IntPtr t, void* dst, long nbytes);
    [DllImport(Lib)] public static extern int mt_tensor_to_string(IntPtr t, out IntPtr text);
    [DllImport(Lib)] public static extern int mt_tensor_same(IntPtr a, IntPtr b, out int same);
    [DllImport(Lib)] public static extern int mt_tensor_alias(IntPtr t, out IntPtr alias);
    [DllImport(Lib)] public static extern int mt_tensor_version(IntPtr t, out long version);

    [DllImport(Lib)] public static extern int mt_tensor_set_requires_grad(IntPtr t, int flag);
    [DllImport(Lib)] public static extern int mt_tensor_is_leaf(IntPtr t, out int leaf);
    [DllImport(Lib)] public static extern int mt_tensor_retain_grad(IntPtr t);
    [DllImport(Lib)] public static extern int mt_tensor_grad(IntPtr t, out IntPtr grad);
    [DllImport(Lib)] public static extern int mt_tensor_set_grad(IntPtr t, IntPtr grad);
    [DllImport(Lib)] public static extern int mt_backward(IntPtr* tensors, int n, IntPtr* grads, int ngrads, int retainGraph, int createGraph);
    [DllImport(Lib)] public static extern int mt_autograd_grad(IntPtr* outputs, int n, IntPtr* inputs, int m, IntPtr* gradOutputs, int ngrad, int retainGraph, int createGraph, int allowUnused, IntPtr* results);
    [DllImport(Lib)] public static extern int mt_grad_enabled();
    [DllImport(Lib)] public static extern void mt_set_grad_enabled(int flag);
    [DllImport(Lib)] public static extern int mt_inference_mode_enter(int enabled, out IntPtr guard);
    [DllImport(Lib)] public static extern int mt_cuda_memory_stats(int device, out long allocated, out long peakAllocated, out long reserved);
    [DllImport(Lib)] public static extern int mt_cuda_reset_peak_memory(int device);
    [DllImport(Lib)] public static extern int mt_autocast_enter(int deviceType, int enabled, int dtype, out int prevEnabled, out int prevDType);
    [DllImport(Lib)] public static extern int mt_autocast_exit(int deviceType, int prevEnabled, int prevDType);
    [DllImport(Lib)] public static extern int mt_autocast_is_enabled(int deviceType);
    [DllImport(Lib)] public static extern void mt_inference_mode_exit(IntPtr guard);
    [DllImport(Lib)] public static extern int mt_is_inference_mode();

    [DllImport(Lib)] public static extern int mt_manual_seed(ulong seed);
    [DllImport(Lib)] public static extern int mt_generator_default(int deviceType, int deviceIndex, out IntPtr gen);
    [DllImport(Lib)] public static extern int mt_generator_new(int deviceType, int deviceIndex, ulong seed, out IntPtr gen);
    [DllImport(Lib)] public static extern void mt_generator_free(IntPtr gen);
    [DllImport(Lib)] public static extern int mt_generator_seed(IntPtr gen, ulong seed);
    [DllImport(Lib)] public static extern int mt_generator_get_state(IntPtr gen, out IntPtr state);
    [DllImport(Lib)] public static extern int mt_generator_set_state(IntPtr gen, IntPtr state);

    [DllImport(Lib)] public static extern void mt_set_num_threads(int n);
    [DllImport(Lib)] public static extern int mt_get_num_threads();
    [DllImport(Lib)] public static extern int mt_set_num_interop_threads(int n);
    [DllImport(Lib)] public static extern int mt_host_cache_set_limit(long bytes);
    [DllImport(Lib)] public static extern int mt_host_cache_stats(out long held, out long blocks, out long limit, out long live, out long peakLive, out long fresh);
    [DllImport(Lib)] public static extern int mt_host_cache_reset_peak();
    [DllImport(Lib)] public static extern int mt_profiler_start(int recordShapes, int thisThreadOnly);
    [DllImport(Lib)] public static extern int mt_profiler_stop(out IntPtr text, out long topCalls, out long topNs);
    [DllImport(Lib)] public static extern int mt_cuda_is_available();
    [DllImport(Lib)] public static extern int mt_cuda_device_count();
    [DllImport(Lib)] public static extern int mt_cuda_synchronize(int deviceIndex);

    /// <summary>Throws <see cref="TorchException"/> with libtorch's message when <paramref name="status"/> is non-zero.</summary>
    public static void Check(int status)
    {
        if (status != 0) throw new TorchException(Marshal.PtrToStringUTF8(mt_last_error()) ?? "unknown libtorch error");
    }

    /// <summary>Takes ownership of a malloc'd UTF-8 string returned by the shim.</summary>
    public static string TakeString(IntPtr p)
    {
        try { return Marshal.PtrToStringUTF8(p) ?? ""; }
        finally { mt_free(p); }
    }
}

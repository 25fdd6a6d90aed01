using System.Runtime.InteropServices;

using Micar.Torch.Distributed;

namespace Micar.Torch.Native;

/// <summary>P/Invoke declarations of the shim's distributed part (<c>native/micar_distributed.cpp</c>).</summary>
internal static unsafe class DistributedMethods
{
    const string Lib = NativeMethods.Lib;

    [DllImport(Lib)] public static extern int mt_dist_available();
    [DllImport(Lib)] public static extern int mt_store_tcp(byte* host, int port, int worldSize, int isServer, long timeoutMs, out IntPtr store);
    [DllImport(Lib)] public static extern int mt_store_tcp_port(IntPtr store, out int port);
    [DllImport(Lib)] public static extern int mt_store_file(byte* path, int worldSize, long timeoutMs, out IntPtr store);
    [DllImport(Lib)] public static extern int mt_store_prefix(IntPtr store, byte* prefix, out IntPtr prefixed);
    [DllImport(Lib)] public static extern int mt_store_set(IntPtr store, byte* key, byte* value, long n);
    [DllImport(Lib)] public static extern int mt_store_get(IntPtr store, byte* key, out IntPtr value, out long n);
    [DllImport(Lib)] public static extern void mt_store_free(IntPtr store);
    [DllImport(Lib)] public static extern int mt_pg_gloo(IntPtr store, int rank, int size, long timeoutMs, byte* hostname, out IntPtr group);
    [DllImport(Lib)] public static extern void mt_pg_free(IntPtr group);
    [DllImport(Lib)] public static extern int mt_pg_allreduce(IntPtr group, IntPtr* tensors, int n, int op);
    [DllImport(Lib)] public static extern int mt_pg_broadcast(IntPtr group, IntPtr* tensors, int n, int root);
    [DllImport(Lib)] public static extern int mt_pg_allgather(IntPtr group, IntPtr input, IntPtr* outputs, int size);
    [DllImport(Lib)] public static extern int mt_pg_barrier(IntPtr group);
    [DllImport(Lib)] public static extern int mt_pg_allreduce_autograd(IntPtr group, IntPtr x, out IntPtr y);
    [DllImport(Lib)] public static extern int mt_reducer_new(IntPtr group, IntPtr* parameters, int n, long bucketBytes, long firstBucketBytes, int findUnused, out IntPtr reducer);
    [DllImport(Lib)] public static extern int mt_reducer_prepare(IntPtr reducer, IntPtr* outputs, int n);
    [DllImport(Lib)] public static extern int mt_reducer_bucket_count(IntPtr reducer, out int count);
    [DllImport(Lib)] public static extern void mt_reducer_free(IntPtr reducer);

    /// <summary>Throws <see cref="DistributedException"/> with c10d's message when <paramref name="status"/> is non-zero.</summary>
    public static void Check(int status, string what)
    {
        if (status != 0)
            throw new DistributedException($"{what}: {Marshal.PtrToStringUTF8(NativeMethods.mt_last_error()) ?? "unknown c10d error"}");
    }

    /// <summary>A NUL-terminated UTF-8 copy of <paramref name="s"/>.</summary>
    public static byte[] Utf8(string s) => System.Text.Encoding.UTF8.GetBytes(s + "\0");
}

using Micar.Torch.Native;

namespace Micar.Torch.Distributed;

/// <summary>
/// c10d's key-value store, the rendezvous of a process group (<c>torch.distributed.TCPStore</c> / <c>FileStore</c>):
/// rank 0 serves a TCP store at MASTER_ADDR:MASTER_PORT that every rank connects to, or all ranks of one machine share
/// a file. <see cref="Get"/> waits for a key up to the store's timeout.
/// </summary>
public sealed unsafe class Store : IDisposable
{
    IntPtr _handle;

    Store(IntPtr handle) => _handle = handle;

    internal IntPtr Handle => _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(Store));

    /// <summary>True when the native shim was built with Gloo (c10d process groups on CPU).</summary>
    public static bool Available => DistributedMethods.mt_dist_available() != 0;

    /// <summary>A TCP store: rank 0 (<paramref name="isServer"/>) listens on <paramref name="host"/>:<paramref name="port"/>,
    /// the others connect, each waiting up to <paramref name="timeout"/>. A server given port 0 listens on a port the
    /// system picks (<see cref="Port"/>), so no other process can take it between choosing and binding.</summary>
    public static Store Tcp(string host, int port, int worldSize, bool isServer, TimeSpan timeout)
    {
        if (port is < 0 or > 65535 || port == 0 && !isServer)
            throw new ArgumentOutOfRangeException(nameof(port), port, isServer ? "a TCP port lies in 0..65535 (0: the system picks one)" : "a TCP port lies in 1..65535");
        IntPtr s;
        fixed (byte* h = DistributedMethods.Utf8(host))
            DistributedMethods.Check(DistributedMethods.mt_store_tcp(h, port, worldSize, isServer ? 1 : 0, (long)timeout.TotalMilliseconds, out s),
                $"TCP store {host}:{port}");
        return new Store(s);
    }

    /// <summary>The port of a TCP store (the system's choice for a server created with port 0).</summary>
    public int Port
    {
        get
        {
            DistributedMethods.Check(DistributedMethods.mt_store_tcp_port(Handle, out int port), "store port");
            return port;
        }
    }

    /// <summary>A store in a file every rank of one machine can reach.</summary>
    public static Store File(string path, int worldSize, TimeSpan timeout)
    {
        IntPtr s;
        fixed (byte* p = DistributedMethods.Utf8(path))
            DistributedMethods.Check(DistributedMethods.mt_store_file(p, worldSize, (long)timeout.TotalMilliseconds, out s), $"file store {path}");
        return new Store(s);
    }

    /// <summary>A view whose keys are prefixed (each process group of a run gets its own).</summary>
    public Store Prefixed(string prefix)
    {
        IntPtr s;
        fixed (byte* p = DistributedMethods.Utf8(prefix))
            DistributedMethods.Check(DistributedMethods.mt_store_prefix(Handle, p, out s), $"store prefix {prefix}");
        return new Store(s);
    }

    /// <summary>Sets a key.</summary>
    public void Set(string key, byte[] value)
    {
        fixed (byte* k = DistributedMethods.Utf8(key), v = value)
            DistributedMethods.Check(DistributedMethods.mt_store_set(Handle, k, v, value.Length), $"store set {key}");
    }

    /// <summary>The value of a key, waiting for it up to the store's timeout.</summary>
    public byte[] Get(string key)
    {
        IntPtr p;
        long n;
        fixed (byte* k = DistributedMethods.Utf8(key))
            DistributedMethods.Check(DistributedMethods.mt_store_get(Handle, k, out p, out n), $"store get {key}");
        try { return new ReadOnlySpan<byte>((void*)p, (int)n).ToArray(); }
        finally { NativeMethods.mt_free(p); }
    }

    /// <summary>Closes the store (the server stops serving when rank 0 closes it).</summary>
    public void Dispose()
    {
        if (_handle == IntPtr.Zero) return;
        DistributedMethods.mt_store_free(_handle);
        _handle = IntPtr.Zero;
    }
}

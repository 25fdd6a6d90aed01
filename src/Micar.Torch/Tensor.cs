using System.Runtime.InteropServices;
using Micar.Torch.Native;

namespace Micar.Torch;

/// <summary>
/// A libtorch tensor. Each instance owns one native reference, released by <see cref="Dispose"/>, by the
/// innermost <see cref="DisposeScope"/> that was current when it was created, or (as a last resort) by the
/// finalizer. Operations mirror PyTorch's names in .NET casing (<c>x.Matmul(w)</c>, <c>x.Softmax(-1)</c>).
/// </summary>
public sealed unsafe partial class Tensor : IDisposable
{
    readonly TensorHandle _handle;

    /// <summary>The scope that will free this tensor (null: only explicit disposal or the GC).</summary>
    public DisposeScope? Scope { get; private set; }

    Tensor(IntPtr p)
    {
        _handle = new TensorHandle(p);
        Scope = DisposeScope.Current;
        Scope?.Add(this);
    }

    internal static Tensor FromHandle(IntPtr p)
    {
        if (p == IntPtr.Zero) throw new TorchException("libtorch returned an undefined tensor");
        return new Tensor(p);
    }

    internal static Tensor? FromHandleOrNull(IntPtr p) => p == IntPtr.Zero ? null : new Tensor(p);

    /// <summary>The native <c>at::Tensor*</c>; throws <see cref="ObjectDisposedException"/> after disposal.</summary>
    internal IntPtr Handle
    {
        get
        {
            if (_handle.IsClosed) throw new ObjectDisposedException(nameof(Tensor), "the tensor was disposed (explicitly or by its DisposeScope)");
            return _handle.DangerousGetHandle();
        }
    }

    /// <summary>True once the native reference has been released.</summary>
    public bool IsDisposed => _handle.IsClosed;

    /// <summary>Releases the native reference now.</summary>
    public void Dispose() => _handle.Dispose();

    /// <summary>Moves this tensor to the enclosing scope (or out of all scopes), so it outlives the current one.</summary>
    public Tensor MoveToOuterScope()
    {
        var outer = Scope?.Outer;
        Scope = outer;
        outer?.Add(this);
        return this;
    }

    /// <summary>Removes this tensor from every scope: only <see cref="Dispose"/> or the GC will free it.</summary>
    public Tensor DetachFromScope()
    {
        Scope = null;
        return this;
    }

    // ------------------------------------------------------------------------------------------------
    // Metadata

    void Info(out int dtype, out int ndim, out int devType, out int devIndex, out int requiresGrad) =>
        NativeMethods.Check(NativeMethods.mt_tensor_info(Handle, out dtype, out ndim, out devType, out devIndex, out requiresGrad));

    /// <summary>Element type, device type and whether it requires a gradient, in one call to the shim.</summary>
    internal (DType DType, DeviceType Device, bool RequiresGrad) Meta()
    {
        Info(out var d, out _, out var t, out _, out var r);
        return ((DType)d, (DeviceType)t, r != 0);
    }

    /// <summary>Element type.</summary>
    public DType DType { get { Info(out var d, out _, out _, out _, out _); return (DType)d; } }

    /// <summary>Number of dimensions.</summary>
    public int Dim { get { Info(out _, out var n, out _, out _, out _); return n; } }

    /// <summary>The device holding the data.</summary>
    public Device Device { get { Info(out _, out _, out var t, out var i, out _); return new Device((DeviceType)t, i); } }

    /// <summary>Sizes of each dimension.</summary>
    public long[] Shape
    {
        get
        {
            int n = Dim;
            var sizes = new long[n];
            fixed (long* p = sizes) NativeMethods.Check(NativeMethods.mt_tensor_shape(Handle, p, null, n));
            return sizes;
        }
    }

    /// <summary>Strides of each dimension, in elements.</summary>
    public long[] Strides
    {
        get
        {
            int n = Dim;
            var sizes = new long[n];
            var strides = new long[n];
            fixed (long* p = sizes, s = strides) NativeMethods.Check(NativeMethods.mt_tensor_shape(Handle, p, s, n));
            return strides;
        }
    }

    /// <summary>Size of dimension <paramref name="dim"/> (negative counts from the end).</summary>
    public long Size(int dim)
    {
        var s = Shape;
        int d = dim < 0 ? dim + s.Length : dim;
        if (d < 0 || d >= s.Length) throw new ArgumentOutOfRangeException(nameof(dim), $"dimension {dim} out of range for a {s.Length}-d tensor");
        return s[d];
    }

    /// <summary>Total number of elements.</summary>
    public long Numel
    {
        get
        {
            long n = 1;
            foreach (var s in Shape) n *= s;
            return n;
        }
    }

    /// <summary>The version counter (PyTorch's <c>t._version</c>): every in-place operation advances it (optimizer steps,
    /// <see cref="Copy_"/>, <c>Fill_</c>, …; a view shares its base's counter), so an unchanged version means unchanged
    /// values, except where a kernel writes outside the dispatcher (libtorch 1.13's batch norm updates its running
    /// statistics without advancing their counters). −1 for inference-mode tensors, which have no counter.</summary>
    public long Version
    {
        get
        {
            NativeMethods.Check(NativeMethods.mt_tensor_version(Handle, out var v));
            return v;
        }
    }

    /// <summary>True when this and <paramref name="other"/> are the same tensor (same storage and view).</summary>
    public bool IsSameAs(Tensor other)
    {
        NativeMethods.Check(NativeMethods.mt_tensor_same(Handle, other.Handle, out var same));
        return same != 0;
    }

    /// <summary>A second handle to the same tensor (its own lifetime, same data and autograd identity).</summary>
    public Tensor Alias()
    {
        NativeMethods.Check(NativeMethods.mt_tensor_alias(Handle, out var p));
        return FromHandle(p);
    }

    /// <summary>libtorch's printout of the tensor.</summary>
    public override string ToString()
    {
        if (IsDisposed) return "Tensor(disposed)";
        NativeMethods.Check(NativeMethods.mt_tensor_to_string(Handle, out var p));
        return NativeMethods.TakeString(p);
    }

    // ------------------------------------------------------------------------------------------------
    // Data in and out

    /// <summary>Creates a CPU tensor holding a copy of <paramref name="data"/> with the given shape.</summary>
    public static Tensor From<T>(ReadOnlySpan<T> data, params long[] shape) where T : unmanaged
    {
        var dtype = DTypeOf<T>();
        long numel = 1;
        foreach (var s in shape)
        {
            if (s < 0) throw new ArgumentException($"negative size in shape [{string.Join(", ", shape)}]", nameof(shape));
            numel *= s;
        }
        if (numel != data.Length)
            throw new ArgumentException($"shape [{string.Join(", ", shape)}] holds {numel} elements but {data.Length} values were given", nameof(shape));
        fixed (T* pd = data)
        fixed (long* ps = shape)
        {
            NativeMethods.Check(NativeMethods.mt_tensor_from_data(pd, (int)dtype, ps, shape.Length, 0, -1, out var p));
            return FromHandle(p);
        }
    }

    /// <summary>Creates a 1-d CPU tensor holding a copy of <paramref name="data"/>.</summary>
    public static Tensor From<T>(T[] data) where T : unmanaged => From<T>(data.AsSpan(), data.LongLength);

    /// <summary>Creates a CPU tensor from raw little-endian bytes of the given dtype and shape.</summary>
    public static Tensor FromBytes(ReadOnlySpan<byte> bytes, DType dtype, params long[] shape)
    {
        long numel = 1;
        foreach (var s in shape) numel *= s;
        if (numel * dtype.ElementSize() != bytes.Length)
            throw new ArgumentException($"{bytes.Length} bytes do not hold a {dtype.TorchName()} tensor of shape [{string.Join(", ", shape)}]");
        fixed (byte* pd = bytes)
        fixed (long* ps = shape)
        {
            NativeMethods.Check(NativeMethods.mt_tensor_from_data(pd, (int)dtype, ps, shape.Length, 0, -1, out var p));
            return FromHandle(p);
        }
    }

    /// <summary>Copies the elements (row-major, moved to the CPU if needed) into a new array.</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        var dtype = DTypeOf<T>();
        if (DType != dtype)
            throw new InvalidOperationException($"ToArray<{typeof(T).Name}> needs a {dtype.TorchName()} tensor but this one is {DType.TorchName()}; convert with .To({dtype}) first");
        var result = new T[Numel];
        fixed (T* p = result)
            NativeMethods.Check(NativeMethods.mt_tensor_copy_out(Handle, p, (long)result.Length * sizeof(T)));
        return result;
    }

    /// <summary>Copies the raw bytes (row-major, little-endian, moved to the CPU if needed).</summary>
    public byte[] ToBytes()
    {
        var result = new byte[Numel * DType.ElementSize()];
        fixed (byte* p = result)
            NativeMethods.Check(NativeMethods.mt_tensor_copy_out(Handle, p, result.Length));
        return result;
    }

    /// <summary>A span over the elements of a contiguous CPU tensor (zero copy; valid while the tensor lives).</summary>
    public Span<T> AsSpan<T>() where T : unmanaged
    {
        var dtype = DTypeOf<T>();
        if (DType != dtype)
            throw new InvalidOperationException($"AsSpan<{typeof(T).Name}> needs a {dtype.TorchName()} tensor but this one is {DType.TorchName()}");
        NativeMethods.Check(NativeMethods.mt_tensor_data_ptr(Handle, out var p));
        return new Span<T>((void*)p, checked((int)Numel));
    }

    /// <summary>The single element of a one-element tensor as a double.</summary>
    public double Item() => Ops.Item.CallScalar(this);

    /// <summary>The single element of a one-element tensor.</summary>
    public T Item<T>() where T : unmanaged
    {
        double v = Item();
        return typeof(T) == typeof(float) ? (T)(object)(float)v
            : typeof(T) == typeof(double) ? (T)(object)v
            : typeof(T) == typeof(long) ? (T)(object)(long)v
            : typeof(T) == typeof(int) ? (T)(object)(int)v
            : typeof(T) == typeof(bool) ? (T)(object)(v != 0)
            : throw new NotSupportedException($"Item<{typeof(T).Name}> is not supported");
    }

    /// <summary>The dtype that corresponds to a .NET element type.</summary>
    public static DType DTypeOf<T>() where T : unmanaged =>
        typeof(T) == typeof(float) ? DType.Float32
        : typeof(T) == typeof(double) ? DType.Float64
        : typeof(T) == typeof(long) ? DType.Int64
        : typeof(T) == typeof(int) ? DType.Int32
        : typeof(T) == typeof(short) ? DType.Int16
        : typeof(T) == typeof(sbyte) ? DType.Int8
        : typeof(T) == typeof(byte) ? DType.UInt8
        : typeof(T) == typeof(bool) ? DType.Bool
        : typeof(T) == typeof(Half) ? DType.Float16
        : throw new NotSupportedException($"no tensor dtype corresponds to {typeof(T).Name}");

    // ------------------------------------------------------------------------------------------------
    // Autograd

    /// <summary>Whether operations on this tensor are recorded for differentiation.</summary>
    public bool RequiresGrad
    {
        get { Info(out _, out _, out _, out _, out var r); return r != 0; }
        set => NativeMethods.Check(NativeMethods.mt_tensor_set_requires_grad(Handle, value ? 1 : 0));
    }

    /// <summary>Sets <see cref="RequiresGrad"/> and returns this tensor (PyTorch's <c>requires_grad_()</c>).</summary>
    public Tensor RequiresGrad_(bool flag = true)
    {
        RequiresGrad = flag;
        return this;
    }

    /// <summary>True for tensors created by the user rather than by a recorded operation.</summary>
    public bool IsLeaf
    {
        get
        {
            NativeMethods.Check(NativeMethods.mt_tensor_is_leaf(Handle, out var leaf));
            return leaf != 0;
        }
    }

    /// <summary>The accumulated gradient (a new handle each call), or null when there is none.</summary>
    public Tensor? Grad
    {
        get
        {
            NativeMethods.Check(NativeMethods.mt_tensor_grad(Handle, out var p));
            return FromHandleOrNull(p);
        }
        set => NativeMethods.Check(NativeMethods.mt_tensor_set_grad(Handle, value?.Handle ?? IntPtr.Zero));
    }

    /// <summary>Keeps the gradient of a non-leaf tensor after backward.</summary>
    public void RetainGrad() => NativeMethods.Check(NativeMethods.mt_tensor_retain_grad(Handle));

    /// <summary>Computes gradients of this (scalar) tensor with respect to the graph leaves.</summary>
    public void Backward(Tensor? gradient = null, bool? retainGraph = null, bool createGraph = false) =>
        Autograd.Backward([this], gradient is null ? null : [gradient], retainGraph, createGraph);
}

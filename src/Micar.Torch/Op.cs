using System.Runtime.InteropServices;
using System.Text;
using Micar.Torch.Native;

namespace Micar.Torch;

/// <summary>
/// An ATen operator found by schema name and overload (e.g. <c>aten::add</c>, <c>Tensor</c>) and called
/// through the dispatcher with boxed arguments. Trailing arguments that are not given take the schema's
/// defaults. This is the whole generic surface of the native shim: typed wrappers such as
/// <see cref="Tensor.Add(Tensor, double)"/> are one line each on top of it.
/// </summary>
public sealed unsafe class Op
{
    const int MaxResults = 8;
    readonly string _name, _overload;
    IntPtr _handle;

    /// <summary>Names an operator; it is looked up on first use.</summary>
    public Op(string name, string overload = "")
    {
        _name = name.Contains("::") ? name : "aten::" + name;
        _overload = overload;
    }

    /// <summary>Qualified name with overload, e.g. <c>aten::add.Tensor</c>.</summary>
    public string Name => _overload.Length == 0 ? _name : $"{_name}.{_overload}";

    /// <summary>The operator's schema as libtorch prints it.</summary>
    public string Schema
    {
        get
        {
            NativeMethods.Check(NativeMethods.mt_op_schema(Handle, out var p));
            return NativeMethods.TakeString(p);
        }
    }

    IntPtr Handle
    {
        get
        {
            if (_handle != IntPtr.Zero) return _handle;
            NativeMethods.EnsureLoaded();
            var n = Encoding.UTF8.GetBytes(_name + "\0");
            var o = Encoding.UTF8.GetBytes(_overload + "\0");
            fixed (byte* pn = n, po = o)
            {
                if (NativeMethods.mt_op_find(pn, po, out var h) != 0)
                    throw new TorchException($"operator {Name} not found in this libtorch: " +
                        System.Runtime.InteropServices.Marshal.PtrToStringUTF8(NativeMethods.mt_last_error()));
                _handle = h;
            }
            return _handle;
        }
    }

    /// <summary>Calls the operator and returns its single tensor result.</summary>
    public Tensor Call(params ReadOnlySpan<Arg> args)
    {
        var results = stackalloc MtArg[MaxResults];
        int n = Invoke(args, results);
        if (n < 1 || results[0].Tag != MtTag.Tensor) { Release(results, n); throw Unexpected("a tensor"); }
        for (int k = 1; k < n; k++) ReleaseOne(results[k]);
        return Tensor.FromHandle(results[0].P);
    }

    /// <summary>Calls an operator that returns two tensors, e.g. <c>aten::max.dim</c>.</summary>
    public (Tensor, Tensor) Call2(params ReadOnlySpan<Arg> args)
    {
        var results = stackalloc MtArg[MaxResults];
        int n = Invoke(args, results);
        if (n != 2 || results[0].Tag != MtTag.Tensor || results[1].Tag != MtTag.Tensor)
        { Release(results, n); throw Unexpected("two tensors"); }
        return (Tensor.FromHandle(results[0].P), Tensor.FromHandle(results[1].P));
    }

    /// <summary>Calls an operator that returns a tensor list, e.g. <c>aten::split</c>.</summary>
    public Tensor[] CallList(params ReadOnlySpan<Arg> args)
    {
        var results = stackalloc MtArg[MaxResults];
        int n = Invoke(args, results);
        if (n != 1 || results[0].Tag != MtTag.TensorList) { Release(results, n); throw Unexpected("a tensor list"); }
        var arr = (IntPtr*)results[0].P;
        var list = new Tensor[results[0].I];
        for (int k = 0; k < list.Length; k++) list[k] = Tensor.FromHandle(arr[k]);
        NativeMethods.mt_free(results[0].P);
        return list;
    }

    /// <summary>Calls an operator that returns a number (e.g. <c>aten::item</c>) and returns it as a double.</summary>
    public double CallScalar(params ReadOnlySpan<Arg> args)
    {
        var results = stackalloc MtArg[MaxResults];
        int n = Invoke(args, results);
        if (n != 1) { Release(results, n); throw Unexpected("a number"); }
        return results[0].Tag switch
        {
            MtTag.Double => results[0].D,
            MtTag.Int or MtTag.Bool => results[0].I,
            _ => throw Unexpected("a number"),
        };
    }

    /// <summary>Calls an operator for its side effect (in-place ops); results are released.</summary>
    public void Run(params ReadOnlySpan<Arg> args)
    {
        var results = stackalloc MtArg[MaxResults];
        Release(results, Invoke(args, results));
    }

    /// <summary>Calls the operator and returns every result as a managed value
    /// (<see cref="Tensor"/>, <see cref="T:Tensor[]"/>, <see cref="long"/>, <see cref="double"/>, <see cref="bool"/>, or null).</summary>
    public object?[] CallAny(params ReadOnlySpan<Arg> args)
    {
        var results = stackalloc MtArg[MaxResults];
        int n = Invoke(args, results);
        var r = new object?[n];
        for (int k = 0; k < n; k++)
        {
            var res = results[k];
            r[k] = res.Tag switch
            {
                MtTag.Tensor => res.P == IntPtr.Zero ? null : Tensor.FromHandle(res.P),
                MtTag.Int => res.I,
                MtTag.Double => res.D,
                MtTag.Bool => res.I != 0,
                MtTag.TensorList => TakeList(res),
                MtTag.IntList => TakeInts(res),
                _ => null,
            };
        }
        return r;
    }

    static Tensor[] TakeList(MtArg res)
    {
        var arr = (IntPtr*)res.P;
        var list = new Tensor[res.I];
        for (int k = 0; k < list.Length; k++) list[k] = Tensor.FromHandle(arr[k]);
        NativeMethods.mt_free(res.P);
        return list;
    }

    static long[] TakeInts(MtArg res)
    {
        var v = new ReadOnlySpan<long>((void*)res.P, (int)res.I).ToArray();
        NativeMethods.mt_free(res.P);
        return v;
    }

    TorchException Unexpected(string what) => new($"{Name} did not return {what}");

    static void Release(MtArg* results, int n)
    {
        for (int k = 0; k < n; k++) ReleaseOne(results[k]);
    }

    static void ReleaseOne(MtArg r)
    {
        if (r.Tag == MtTag.Tensor && r.P != IntPtr.Zero) NativeMethods.mt_tensor_free(r.P);
        else if (r.Tag == MtTag.TensorList)
        {
            var arr = (IntPtr*)r.P;
            for (long k = 0; k < r.I; k++) if (arr[k] != IntPtr.Zero) NativeMethods.mt_tensor_free(arr[k]);
            NativeMethods.mt_free(r.P);
        }
        else if (r.Tag == MtTag.IntList) NativeMethods.mt_free(r.P);
    }

    int Invoke(ReadOnlySpan<Arg> args, MtArg* results)
    {
        var handle = Handle;
        var margs = stackalloc MtArg[args.Length];
        // Scratch memory for list and string payloads: small calls use the stack, big ones the native heap.
        const int StackScratch = 512;
        int need = 0;
        foreach (ref readonly var a in args) need += PayloadBytes(a);
        byte* stackBuf = stackalloc byte[need <= StackScratch ? need : 0];
        byte* scratch = need <= StackScratch ? stackBuf : (byte*)NativeMemory.Alloc((nuint)need);
        try
        {
            int offset = 0;
            for (int k = 0; k < args.Length; k++) margs[k] = ToNative(args[k], scratch, ref offset);
            int status = NativeMethods.mt_op_call(handle, margs, args.Length, results, MaxResults, out int n);
            if (status != 0)
                throw new TorchException(
                    $"{Name}: {System.Runtime.InteropServices.Marshal.PtrToStringUTF8(NativeMethods.mt_last_error())}");
            return n;
        }
        finally
        {
            if (need > StackScratch) NativeMemory.Free(scratch);
            foreach (ref readonly var a in args) KeepAlive(a);
        }
    }

    static int PayloadBytes(in Arg a) => a.Tag switch
    {
        MtTag.IntList => ((long[])a.Obj!).Length * 8,
        MtTag.DoubleList => ((double[])a.Obj!).Length * 8,
        MtTag.TensorList => ((Tensor[])a.Obj!).Length * 8,
        MtTag.OptTensorList => ((Tensor?[])a.Obj!).Length * 8,
        MtTag.BoolList => ((bool[])a.Obj!).Length,
        MtTag.String => Encoding.UTF8.GetByteCount((string)a.Obj!) + 1,
        _ => 0,
    };

    static MtArg ToNative(in Arg a, byte* scratch, ref int offset)
    {
        var m = new MtArg { Tag = a.Tag, I = a.I, D = a.D };
        switch (a.Tag)
        {
            case MtTag.Tensor:
                m.P = ((Tensor)a.Obj!).Handle;
                break;
            case MtTag.Device:
                m.Aux = (int)a.D;
                m.D = 0;
                break;
            case MtTag.Generator:
                m.P = ((Generator)a.Obj!).Handle;
                break;
            case MtTag.IntList:
            {
                var v = (long[])a.Obj!;
                var dst = (long*)(scratch + offset);
                v.AsSpan().CopyTo(new Span<long>(dst, v.Length));
                m.P = (IntPtr)dst; m.I = v.Length; offset += v.Length * 8;
                break;
            }
            case MtTag.DoubleList:
            {
                var v = (double[])a.Obj!;
                var dst = (double*)(scratch + offset);
                v.AsSpan().CopyTo(new Span<double>(dst, v.Length));
                m.P = (IntPtr)dst; m.I = v.Length; offset += v.Length * 8;
                break;
            }
            case MtTag.BoolList:
            {
                var v = (bool[])a.Obj!;
                var dst = scratch + offset;
                for (int k = 0; k < v.Length; k++) dst[k] = v[k] ? (byte)1 : (byte)0;
                m.P = (IntPtr)dst; m.I = v.Length; offset += v.Length;
                break;
            }
            case MtTag.TensorList:
            case MtTag.OptTensorList:
            {
                var v = (Tensor?[])a.Obj!;
                var dst = (IntPtr*)(scratch + offset);
                for (int k = 0; k < v.Length; k++) dst[k] = v[k]?.Handle ?? IntPtr.Zero;
                m.P = (IntPtr)dst; m.I = v.Length; offset += v.Length * 8;
                break;
            }
            case MtTag.String:
            {
                var s = (string)a.Obj!;
                var dst = scratch + offset;
                int len = Encoding.UTF8.GetBytes(s, new Span<byte>(dst, Encoding.UTF8.GetByteCount(s)));
                dst[len] = 0;
                m.P = (IntPtr)dst; offset += len + 1;
                break;
            }
        }
        return m;
    }

    static void KeepAlive(in Arg a) => GC.KeepAlive(a.Obj);
}

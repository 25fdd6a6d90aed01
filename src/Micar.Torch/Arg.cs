using Micar.Torch.Native;

namespace Micar.Torch;

/// <summary>
/// One argument of a dispatcher call (<see cref="Op"/>): a tensor, number, list, string, dtype, device or
/// generator. Implicit conversions make call sites read like PyTorch: <c>op.Call(x, 1, 2.0)</c>.
/// </summary>
public readonly struct Arg
{
    internal readonly int Tag;
    internal readonly long I;
    internal readonly double D;
    internal readonly object? Obj;

    Arg(int tag, long i = 0, double d = 0, object? obj = null) { Tag = tag; I = i; D = d; Obj = obj; }

    /// <summary>Python's <c>None</c>.</summary>
    public static readonly Arg None = new(MtTag.None);
    /// <summary>The schema's default value for this position.</summary>
    public static readonly Arg Default = new(MtTag.Default);

    /// <summary>A tensor (null is None).</summary>
    public static implicit operator Arg(Tensor? t) => t is null ? None : new(MtTag.Tensor, obj: t);
    /// <summary>An integer.</summary>
    public static implicit operator Arg(long v) => new(MtTag.Int, i: v);
    /// <summary>An integer.</summary>
    public static implicit operator Arg(int v) => new(MtTag.Int, i: v);
    /// <summary>A floating-point number.</summary>
    public static implicit operator Arg(double v) => new(MtTag.Double, d: v);
    /// <summary>A boolean.</summary>
    public static implicit operator Arg(bool v) => new(MtTag.Bool, i: v ? 1 : 0);
    /// <summary>An int list (null is None).</summary>
    public static implicit operator Arg(long[]? v) => v is null ? None : new(MtTag.IntList, obj: v);
    /// <summary>A float list (null is None).</summary>
    public static implicit operator Arg(double[]? v) => v is null ? None : new(MtTag.DoubleList, obj: v);
    /// <summary>A tensor list.</summary>
    public static implicit operator Arg(Tensor[] v) => new(MtTag.TensorList, obj: v);
    /// <summary>A string (null is None).</summary>
    public static implicit operator Arg(string? v) => v is null ? None : new(MtTag.String, obj: v);
    /// <summary>A dtype (ScalarType).</summary>
    public static implicit operator Arg(DType v) => new(MtTag.Int, i: (long)v);
    /// <summary>A device.</summary>
    public static implicit operator Arg(Device v) => new(MtTag.Device, i: (long)v.Type, d: v.Index);
    /// <summary>A random generator (null is None: the default generator).</summary>
    public static implicit operator Arg(Generator? g) => g is null ? None : new(MtTag.Generator, obj: g);

    /// <summary>An optional dtype.</summary>
    public static Arg Of(DType? v) => v is { } t ? t : None;
    /// <summary>An optional device.</summary>
    public static Arg Of(Device? v) => v is { } d ? d : None;
    /// <summary>An optional double.</summary>
    public static Arg Of(double? v) => v is { } d ? d : None;
    /// <summary>An optional integer.</summary>
    public static Arg Of(long? v) => v is { } i ? i : None;
    /// <summary>A list of optional tensors (<c>Tensor?[]</c>, as used by <c>aten::index</c>).</summary>
    public static Arg OptionalTensors(Tensor?[] v) => new(MtTag.OptTensorList, obj: v);
    /// <summary>A bool list.</summary>
    public static Arg Bools(bool[] v) => new(MtTag.BoolList, obj: v);
}

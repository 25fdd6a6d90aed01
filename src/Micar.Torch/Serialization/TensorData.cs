using System.Runtime.InteropServices;
using System.Text;

namespace Micar.Torch.Serialization;

/// <summary>
/// A tensor held as plain bytes, independent of libtorch: the element type, the shape and the elements in
/// contiguous row-major order, little-endian (bool as one byte, 0 or 1; bfloat16 as its 16-bit pattern).
/// This is the neutral form checkpoint readers produce and writers consume.
/// </summary>
/// <remarks>
/// The constructor checks that <paramref name="Data"/> holds exactly numel × element size bytes. The shape
/// is copied; the data array is kept as given (not copied) to avoid doubling the memory of large weights, so
/// callers must not mutate it afterwards. Equality compares dtype, shape and bytes.
/// </remarks>
/// <param name="DType">Element type.</param>
/// <param name="Shape">Sizes of the dimensions; empty for a scalar. Every size must be ≥ 0.</param>
/// <param name="Data">The elements, contiguous, row-major, little-endian.</param>
public sealed record TensorData(DType DType, long[] Shape, byte[] Data)
{
    /// <summary>Element type.</summary>
    public DType DType { get; } = CheckDType(DType);

    /// <summary>Sizes of the dimensions (a private copy of the array given); empty for a scalar.</summary>
    public long[] Shape { get; } = CheckShape(Shape);

    /// <summary>The elements as contiguous row-major little-endian bytes.</summary>
    public byte[] Data { get; } = CheckData(DType, Shape, Data);

    /// <summary>Number of elements (1 for a scalar, 0 if any dimension is 0).</summary>
    public long Numel => NumelOf(Shape);

    /// <summary>Number of dimensions.</summary>
    public int Rank => Shape.Length;

    /// <summary>Size in bytes of one element.</summary>
    public int ElementSize => DType.ElementSize();

    /// <summary>Number of elements of a shape; throws on a negative size or on overflow.</summary>
    /// <param name="shape">The sizes.</param>
    public static long NumelOf(ReadOnlySpan<long> shape)
    {
        long n = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException($"negative dimension {d} in shape {FormatShape(shape)}", nameof(shape));
            n = checked(n * d);
        }
        return n;
    }

    /// <summary>Formats a shape as <c>[2, 3]</c>.</summary>
    /// <param name="shape">The sizes.</param>
    public static string FormatShape(ReadOnlySpan<long> shape)
    {
        var sb = new StringBuilder("[");
        for (var i = 0; i < shape.Length; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(shape[i]);
        }
        return sb.Append(']').ToString();
    }

    // ---- typed views (exact copies, dtype must match) ----

    /// <summary>The elements of a float32 tensor.</summary>
    public float[] ToFloat32Array() => Copy<float>(DType.Float32);

    /// <summary>The elements of a float64 tensor.</summary>
    public double[] ToFloat64Array() => Copy<double>(DType.Float64);

    /// <summary>The elements of a float16 tensor.</summary>
    public Half[] ToFloat16Array() => Copy<Half>(DType.Float16);

    /// <summary>The 16-bit patterns of a bfloat16 tensor.</summary>
    public ushort[] ToBFloat16Bits() => Copy<ushort>(DType.BFloat16);

    /// <summary>The elements of an int64 tensor.</summary>
    public long[] ToInt64Array() => Copy<long>(DType.Int64);

    /// <summary>The elements of an int32 tensor.</summary>
    public int[] ToInt32Array() => Copy<int>(DType.Int32);

    /// <summary>The elements of an int16 tensor.</summary>
    public short[] ToInt16Array() => Copy<short>(DType.Int16);

    /// <summary>The elements of an int8 tensor.</summary>
    public sbyte[] ToInt8Array() => Copy<sbyte>(DType.Int8);

    /// <summary>The elements of a uint8 tensor (a copy of <see cref="Data"/>).</summary>
    public byte[] ToUInt8Array() => Copy<byte>(DType.UInt8);

    /// <summary>The elements of a bool tensor (any non-zero byte is true).</summary>
    public bool[] ToBoolArray()
    {
        RequireDType(DType.Bool);
        var result = new bool[Data.Length];
        for (var i = 0; i < result.Length; i++) result[i] = Data[i] != 0;
        return result;
    }

    /// <summary>
    /// The elements converted to float32, whatever the dtype: exact for float16, bfloat16, bool, (u)int8 and
    /// int16; rounded to nearest for float64, int32 and int64. Meant for inspection and comparisons.
    /// </summary>
    public float[] ConvertToFloat32()
    {
        var n = checked((int)Numel);
        var result = new float[n];
        var d = Data.AsSpan();
        switch (DType)
        {
            case DType.Float32: MemoryMarshal.Cast<byte, float>(d).CopyTo(result); break;
            case DType.Float64: Convert(MemoryMarshal.Cast<byte, double>(d), result, v => (float)v); break;
            case DType.Float16: Convert(MemoryMarshal.Cast<byte, Half>(d), result, v => (float)v); break;
            case DType.BFloat16: Convert(MemoryMarshal.Cast<byte, ushort>(d), result, BFloat16BitsToSingle); break;
            case DType.Int64: Convert(MemoryMarshal.Cast<byte, long>(d), result, v => v); break;
            case DType.Int32: Convert(MemoryMarshal.Cast<byte, int>(d), result, v => v); break;
            case DType.Int16: Convert(MemoryMarshal.Cast<byte, short>(d), result, v => v); break;
            case DType.Int8: Convert(MemoryMarshal.Cast<byte, sbyte>(d), result, v => v); break;
            case DType.UInt8: Convert<byte>(d, result, v => v); break;
            case DType.Bool: Convert<byte>(d, result, v => v != 0 ? 1f : 0f); break;
            default: throw new NotSupportedException($"dtype {DType} cannot be converted to float32");
        }
        return result;
    }

    /// <summary>The float32 value of a bfloat16 bit pattern (exact).</summary>
    /// <param name="bits">The 16-bit pattern.</param>
    public static float BFloat16BitsToSingle(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    // ---- construction from arrays (the arrays are copied) ----

    /// <summary>A float32 tensor; <paramref name="shape"/> defaults to one dimension of the array's length.</summary>
    /// <param name="values">Elements in row-major order.</param>
    /// <param name="shape">The shape; its numel must equal the array length.</param>
    public static TensorData FromArray(float[] values, long[]? shape = null) => From(DType.Float32, values, shape);

    /// <summary>A float64 tensor.</summary>
    /// <param name="values">Elements in row-major order.</param>
    /// <param name="shape">The shape; its numel must equal the array length.</param>
    public static TensorData FromArray(double[] values, long[]? shape = null) => From(DType.Float64, values, shape);

    /// <summary>A float16 tensor.</summary>
    /// <param name="values">Elements in row-major order.</param>
    /// <param name="shape">The shape; its numel must equal the array length.</param>
    public static TensorData FromArray(Half[] values, long[]? shape = null) => From(DType.Float16, values, shape);

    /// <summary>An int64 tensor.</summary>
    /// <param name="values">Elements in row-major order.</param>
    /// <param name="shape">The shape; its numel must equal the array length.</param>
    public static TensorData FromArray(long[] values, long[]? shape = null) => From(DType.Int64, values, shape);

    /// <summary>An int32 tensor.</summary>
    /// <param name="values">Elements in row-major order.</param>
    /// <param name="shape">The shape; its numel must equal the array length.</param>
    public static TensorData FromArray(int[] values, long[]? shape = null) => From(DType.Int32, values, shape);

    /// <summary>An int16 tensor.</summary>
    /// <param name="values">Elements in row-major order.</param>
    /// <param name="shape">The shape; its numel must equal the array length.</param>
    public static TensorData FromArray(short[] values, long[]? shape = null) => From(DType.Int16, values, shape);

    /// <summary>An int8 tensor.</summary>
    /// <param name="values">Elements in row-major order.</param>
    /// <param name="shape">The shape; its numel must equal the array length.</param>
    public static TensorData FromArray(sbyte[] values, long[]? shape = null) => From(DType.Int8, values, shape);

    /// <summary>A uint8 tensor.</summary>
    /// <param name="values">Elements in row-major order.</param>
    /// <param name="shape">The shape; its numel must equal the array length.</param>
    public static TensorData FromArray(byte[] values, long[]? shape = null) => From(DType.UInt8, values, shape);

    /// <summary>A bool tensor (stored as bytes 0 and 1).</summary>
    /// <param name="values">Elements in row-major order.</param>
    /// <param name="shape">The shape; its numel must equal the array length.</param>
    public static TensorData FromArray(bool[] values, long[]? shape = null)
    {
        var bytes = new byte[values.Length];
        for (var i = 0; i < bytes.Length; i++) bytes[i] = values[i] ? (byte)1 : (byte)0;
        return new TensorData(DType.Bool, ResolveShape(shape, values.Length), bytes);
    }

    /// <summary>A bfloat16 tensor from 16-bit patterns.</summary>
    /// <param name="bits">Bit patterns in row-major order.</param>
    /// <param name="shape">The shape; its numel must equal the array length.</param>
    public static TensorData FromBFloat16Bits(ushort[] bits, long[]? shape = null) => From(DType.BFloat16, bits, shape);

    // ---- equality and printing ----

    /// <summary>True when dtype, shape and every byte are equal.</summary>
    /// <param name="other">The tensor to compare with.</param>
    public bool Equals(TensorData? other) =>
        other is not null
        && DType == other.DType
        && Shape.AsSpan().SequenceEqual(other.Shape)
        && Data.AsSpan().SequenceEqual(other.Data);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(DType);
        foreach (var d in Shape) h.Add(d);
        h.Add(Data.Length);
        h.AddBytes(Data.AsSpan(0, Math.Min(Data.Length, 64)));
        return h.ToHashCode();
    }

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("DType = ").Append(DType.TorchName())
            .Append(", Shape = ").Append(FormatShape(Shape))
            .Append(", Bytes = ").Append(Data.Length);
        return true;
    }

    // ---- internals ----

    private static DType CheckDType(DType dtype)
    {
        _ = dtype.ElementSize(); // throws for values outside the supported set
        return dtype;
    }

    private static long[] CheckShape(long[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        _ = NumelOf(shape);
        return (long[])shape.Clone();
    }

    private static byte[] CheckData(DType dtype, long[] shape, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var expected = checked(NumelOf(shape) * dtype.ElementSize());
        if (data.LongLength != expected)
        {
            throw new ArgumentException(
                $"a {dtype.TorchName()} tensor of shape {FormatShape(shape)} needs {expected} bytes, got {data.LongLength}",
                nameof(Data));
        }
        return data;
    }

    private static long[] ResolveShape(long[]? shape, int length) => shape ?? [length];

    private static TensorData From<T>(DType dtype, T[] values, long[]? shape) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(values);
        RequireLittleEndian();
        var bytes = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        return new TensorData(dtype, ResolveShape(shape, values.Length), bytes);
    }

    private T[] Copy<T>(DType expected) where T : unmanaged
    {
        RequireDType(expected);
        RequireLittleEndian();
        return MemoryMarshal.Cast<byte, T>(Data.AsSpan()).ToArray();
    }

    private void RequireDType(DType expected)
    {
        if (DType != expected)
        {
            throw new InvalidOperationException(
                $"the tensor is {DType.TorchName()}, not {expected.TorchName()} (use {nameof(ConvertToFloat32)} to convert)");
        }
    }

    private static void RequireLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("TensorData views assume a little-endian machine");
    }

    private static void Convert<T>(ReadOnlySpan<T> source, Span<float> target, Func<T, float> f)
    {
        for (var i = 0; i < source.Length; i++) target[i] = f(source[i]);
    }
}

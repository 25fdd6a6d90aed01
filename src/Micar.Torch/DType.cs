namespace Micar.Torch;

/// <summary>Element types of tensors. Numeric values are libtorch's <c>c10::ScalarType</c> codes.</summary>
public enum DType : sbyte
{
    /// <summary>8-bit unsigned integer (torch.uint8).</summary>
    UInt8 = 0,
    /// <summary>8-bit signed integer (torch.int8).</summary>
    Int8 = 1,
    /// <summary>16-bit signed integer (torch.int16).</summary>
    Int16 = 2,
    /// <summary>32-bit signed integer (torch.int32).</summary>
    Int32 = 3,
    /// <summary>64-bit signed integer (torch.int64).</summary>
    Int64 = 4,
    /// <summary>IEEE half precision (torch.float16).</summary>
    Float16 = 5,
    /// <summary>IEEE single precision (torch.float32).</summary>
    Float32 = 6,
    /// <summary>IEEE double precision (torch.float64).</summary>
    Float64 = 7,
    /// <summary>Boolean (torch.bool).</summary>
    Bool = 11,
    /// <summary>bfloat16 (torch.bfloat16).</summary>
    BFloat16 = 15,
}

/// <summary>Facts about <see cref="DType"/> values.</summary>
public static class DTypes
{
    /// <summary>Size in bytes of one element.</summary>
    public static int ElementSize(this DType t) => t switch
    {
        DType.UInt8 or DType.Int8 or DType.Bool => 1,
        DType.Int16 or DType.Float16 or DType.BFloat16 => 2,
        DType.Int32 or DType.Float32 => 4,
        DType.Int64 or DType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(t), t, "unsupported dtype"),
    };

    /// <summary>True for floating-point types.</summary>
    public static bool IsFloatingPoint(this DType t) =>
        t is DType.Float16 or DType.Float32 or DType.Float64 or DType.BFloat16;

    /// <summary>PyTorch's name, e.g. <c>float32</c>.</summary>
    public static string TorchName(this DType t) => t switch
    {
        DType.UInt8 => "uint8", DType.Int8 => "int8", DType.Int16 => "int16", DType.Int32 => "int32",
        DType.Int64 => "int64", DType.Float16 => "float16", DType.Float32 => "float32",
        DType.Float64 => "float64", DType.Bool => "bool", DType.BFloat16 => "bfloat16",
        _ => t.ToString(),
    };

    /// <summary>Parses PyTorch / safetensors names (<c>float32</c>, <c>F32</c>, <c>torch.long</c>, …).</summary>
    public static DType Parse(string name) => name.Replace("torch.", "").ToLowerInvariant() switch
    {
        "uint8" or "u8" or "byte" => DType.UInt8,
        "int8" or "i8" or "char" => DType.Int8,
        "int16" or "i16" or "short" => DType.Int16,
        "int32" or "i32" or "int" => DType.Int32,
        "int64" or "i64" or "long" => DType.Int64,
        "float16" or "f16" or "half" => DType.Float16,
        "float32" or "f32" or "float" => DType.Float32,
        "float64" or "f64" or "double" => DType.Float64,
        "bool" => DType.Bool,
        "bfloat16" or "bf16" => DType.BFloat16,
        _ => throw new FormatException($"unknown dtype '{name}'"),
    };
}

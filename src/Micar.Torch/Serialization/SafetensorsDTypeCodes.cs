namespace Micar.Torch.Serialization;

/// <summary>The dtype codes of the safetensors header (<c>F32</c>, <c>BF16</c>, <c>BOOL</c>, …).</summary>
public static class SafetensorsDTypeCodes
{
    /// <summary>The safetensors code of a dtype.</summary>
    /// <param name="dtype">A supported dtype.</param>
    public static string ToCode(DType dtype) => dtype switch
    {
        DType.Float64 => "F64",
        DType.Float32 => "F32",
        DType.Float16 => "F16",
        DType.BFloat16 => "BF16",
        DType.Int64 => "I64",
        DType.Int32 => "I32",
        DType.Int16 => "I16",
        DType.Int8 => "I8",
        DType.UInt8 => "U8",
        DType.Bool => "BOOL",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "no safetensors code for this dtype"),
    };

    /// <summary>Parses a safetensors code exactly (case-sensitive, as the format specifies).</summary>
    /// <param name="code">The code from the header.</param>
    /// <param name="dtype">The dtype when the code is supported.</param>
    /// <returns>False for codes this library has no dtype for (e.g. <c>F8_E4M3</c>, <c>U32</c>, <c>C64</c>).</returns>
    public static bool TryParse(string code, out DType dtype)
    {
        DType? parsed = code switch
        {
            "F64" => DType.Float64,
            "F32" => DType.Float32,
            "F16" => DType.Float16,
            "BF16" => DType.BFloat16,
            "I64" => DType.Int64,
            "I32" => DType.Int32,
            "I16" => DType.Int16,
            "I8" => DType.Int8,
            "U8" => DType.UInt8,
            "BOOL" => DType.Bool,
            _ => null,
        };
        dtype = parsed.GetValueOrDefault();
        return parsed.HasValue;
    }
}

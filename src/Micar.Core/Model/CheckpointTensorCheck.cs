using System.Runtime.InteropServices;
using Micar.Layers;
using Micar.Torch;
using Micar.Torch.Serialization;

namespace Micar.Model;

/// <summary>The checks every tensor from a file passes before it may replace a parameter.</summary>
public static partial class Checkpoint
{
    /// <summary>
    /// Extra storage bytes tolerated, beyond the model's own tensors in the file's dtypes, when a <c>.pth</c> is
    /// read: room for a tensor saved as a small view of a larger storage, and no more.
    /// </summary>
    public const long PthStorageSlackBytes = 1L << 20;

    /// <summary>
    /// True when data of dtype <paramref name="provided"/> may be loaded into a tensor of <paramref name="expected"/>,
    /// as PyTorch's <c>load_state_dict</c> would copy it: any floating type into a floating one (float64, float16
    /// and bfloat16 into float32), any integer type into an integer one (e.g. <c>num_batches_tracked</c>), bool
    /// into bool. Integer or bool data for a floating parameter is refused (it is not a trained weight).
    /// </summary>
    /// <param name="provided">The file's dtype.</param>
    /// <param name="expected">The model's dtype.</param>
    public static bool DTypeFits(DType provided, DType expected) =>
        expected.IsFloatingPoint() ? provided.IsFloatingPoint()
        : expected == DType.Bool ? provided == DType.Bool
        : !provided.IsFloatingPoint() && provided != DType.Bool;

    /// <summary>
    /// Checks one tensor read from a file against the parameter it is to replace: same shape, a dtype that
    /// <see cref="DTypeFits"/>, and (for floating data) every value finite, also once narrowed to the model's dtype.
    /// One pass over the data.
    /// </summary>
    /// <param name="key">The state-dict key, named in errors.</param>
    /// <param name="data">The tensor as read.</param>
    /// <param name="expected">The model's description of the parameter.</param>
    /// <param name="source">The file, named in errors.</param>
    /// <exception cref="CheckpointMismatchException">Wrong shape or dtype.</exception>
    /// <exception cref="CheckpointFormatException">NaN or infinite values (the message gives their count).</exception>
    public static void CheckTensor(string key, TensorData data, ParamInfo expected, string source)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(expected);
        CheckTensor(key, data, expected.Shape.ToArray(), expected.DType, source);
    }

    internal static void CheckTensor(string key, TensorData data, long[] shape, DType dtype, string source)
    {
        var m = CompareDescriptions([(key, shape, dtype)], [(key, data.Shape, data.DType)]);
        if (!m.IsEmpty) throw new CheckpointMismatchException(m.Describe(source), m);
        var bad = CountNonFinite(data, dtype);
        if (bad > 0)
        {
            var narrowing = data.DType.ElementSize() > dtype.ElementSize() ? $" or out of {dtype.TorchName()}'s range" : "";
            throw new CheckpointFormatException(source, $"{bad} of {data.Numel} values are NaN or infinite{narrowing}", key);
        }
    }

    /// <summary>
    /// Number of values of a floating tensor that are NaN or infinite, or whose magnitude exceeds the largest
    /// finite value of <paramref name="target"/> (they would become infinite when converted); 0 for other dtypes.
    /// </summary>
    /// <param name="data">The tensor.</param>
    /// <param name="target">The dtype the values are converted to.</param>
    public static long CountNonFinite(TensorData data, DType target)
    {
        ArgumentNullException.ThrowIfNull(data);
        var limit = target switch
        {
            DType.Float16 => (double)Half.MaxValue,
            DType.BFloat16 => 3.3895313892515355e38,
            DType.Float32 => float.MaxValue,
            _ => double.MaxValue,
        };
        var bytes = data.Data.AsSpan();
        long count = 0;
        switch (data.DType)
        {
            case DType.Float32 when limit >= float.MaxValue:
                foreach (var bits in MemoryMarshal.Cast<byte, uint>(bytes)) if ((bits & 0x7F800000u) == 0x7F800000u) count++;
                break;
            case DType.Float32:
                foreach (var v in MemoryMarshal.Cast<byte, float>(bytes)) if (!(Math.Abs(v) <= limit)) count++;
                break;
            case DType.Float64:
                foreach (var v in MemoryMarshal.Cast<byte, double>(bytes)) if (!(Math.Abs(v) <= limit)) count++;
                break;
            case DType.Float16:
                foreach (var bits in MemoryMarshal.Cast<byte, ushort>(bytes)) if ((bits & 0x7C00) == 0x7C00) count++;
                break;
            case DType.BFloat16:
                foreach (var bits in MemoryMarshal.Cast<byte, ushort>(bytes))
                    if ((bits & 0x7F80) == 0x7F80 || !(Math.Abs(TensorData.BFloat16BitsToSingle(bits)) <= limit)) count++;
                break;
        }
        return count;
    }

    /// <summary>
    /// Compares expected (key, shape, dtype) triples with a file's, before any data is read: missing,
    /// unexpected and misshaped keys as <see cref="Compare"/>, plus keys whose dtype does not <see cref="DTypeFits"/>.
    /// </summary>
    internal static KeyMismatch CompareDescriptions(IReadOnlyList<(string Key, long[] Shape, DType DType)> expected,
        IReadOnlyList<(string Key, long[] Shape, DType DType)> provided)
    {
        var m = Compare(expected.Select(e => (e.Key, e.Shape)), provided.Select(p => (p.Key, p.Shape)));
        var have = new Dictionary<string, DType>(StringComparer.Ordinal);
        foreach (var p in provided) have[p.Key] = p.DType;
        var wrongType = expected
            .Where(e => have.TryGetValue(e.Key, out var d) && !DTypeFits(d, e.DType))
            .Select(e => $"{e.Key} {have[e.Key].TorchName()} vs {e.DType.TorchName()}")
            .ToList();
        return m with { WrongDType = wrongType };
    }

    /// <summary>Throws <see cref="CheckpointMismatchException"/> naming every difference, when there is one.</summary>
    internal static void EnsureDescriptionsMatch(IReadOnlyList<(string Key, long[] Shape, DType DType)> expected,
        IReadOnlyList<(string Key, long[] Shape, DType DType)> provided, string source)
    {
        var m = CompareDescriptions(expected, provided);
        if (!m.IsEmpty) throw new CheckpointMismatchException(m.Describe(source), m);
    }
}

namespace Micar.Torch.Serialization;

/// <summary>What a safetensors header says about one tensor.</summary>
/// <param name="Key">The tensor's name.</param>
/// <param name="DType">Element type.</param>
/// <param name="Shape">Sizes of the dimensions (a copy; changing it affects nothing).</param>
/// <param name="DataBegin">Start of the tensor's bytes, relative to the start of the byte buffer.</param>
/// <param name="DataEnd">End (exclusive) of the tensor's bytes, relative to the start of the byte buffer.</param>
public sealed record SafetensorsTensorInfo(string Key, DType DType, long[] Shape, long DataBegin, long DataEnd)
{
    /// <summary>Number of bytes of the tensor's data.</summary>
    public long ByteLength => DataEnd - DataBegin;

    /// <summary>Number of elements.</summary>
    public long Numel => TensorData.NumelOf(Shape);
}

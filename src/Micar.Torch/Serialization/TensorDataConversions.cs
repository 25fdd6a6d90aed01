namespace Micar.Torch.Serialization;

/// <summary>Conversions between libtorch tensors and the neutral <see cref="TensorData"/> of the checkpoint formats.</summary>
public static class TensorDataConversions
{
    /// <summary>A CPU tensor holding a copy of the data.</summary>
    public static Tensor ToTensor(this TensorData data) => Tensor.FromBytes(data.Data, data.DType, data.Shape);

    /// <summary>The tensor's values as contiguous little-endian bytes (copied to the CPU if needed).</summary>
    public static TensorData ToTensorData(this Tensor tensor) => new(tensor.DType, tensor.Shape, tensor.ToBytes());

    /// <summary>Writes named tensors to a safetensors file (atomically, in the given order).</summary>
    public static void SaveSafetensors(string path, IEnumerable<(string Key, Tensor Value)> tensors,
        IEnumerable<KeyValuePair<string, string>>? metadata = null) =>
        SafetensorsWriter.Write(path, tensors.Select(t => new KeyValuePair<string, TensorData>(t.Key, t.Value.ToTensorData())), metadata);
}

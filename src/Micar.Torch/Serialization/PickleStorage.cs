namespace Micar.Torch.Serialization;

/// <summary>
/// A storage referenced by a <c>.pth</c> pickle through a persistent id
/// <c>('storage', torch.FloatStorage, key, location, numel)</c>; its bytes are the archive entry <c>data/&lt;key&gt;</c>.
/// </summary>
/// <param name="DType">Element type, from the storage class (<c>torch.FloatStorage</c> → float32, …).</param>
/// <param name="Key">Name of the archive entry holding the bytes.</param>
/// <param name="Location">Device it was saved from (<c>cpu</c>, <c>cuda:0</c>, …); irrelevant when loading.</param>
/// <param name="Numel">Number of elements of the storage.</param>
public sealed record PickleStorage(DType DType, string Key, string Location, long Numel)
{
    /// <summary>Size of the storage in bytes.</summary>
    public long ByteLength => checked(Numel * DType.ElementSize());
}

namespace Micar.Torch.Serialization;

/// <summary>
/// The state dict of an open <c>.pth</c> checkpoint, described but not read: each tensor's name, dtype, shape
/// and view, already checked against the archive's central directory (storage records exist with the declared
/// sizes, views fit their storages). Callers compare names, shapes and dtypes with what they expect, and only
/// then read the data, under a byte budget, so a file that does not fit costs almost nothing.
/// </summary>
public sealed class PthStateDict : IDisposable
{
    private readonly PthFile _file;

    internal PthStateDict(PthFile file, IReadOnlyList<KeyValuePair<string, PickleTensor>> tensors)
    {
        _file = file;
        Tensors = tensors;
        StorageBytes = PthFile.StorageBytes(tensors.Select(t => t.Value));
    }

    /// <summary>The checkpoint's path.</summary>
    public string Path => _file.Path;

    /// <summary>Name → tensor description, in the file's order; names are unique.</summary>
    public IReadOnlyList<KeyValuePair<string, PickleTensor>> Tensors { get; }

    /// <summary>Declared size in bytes of the distinct storages the tensors view: what <see cref="ReadAll"/> will decompress.</summary>
    public long StorageBytes { get; }

    /// <summary>Bytes of storage decompressed so far.</summary>
    public long StorageBytesRead => _file.StorageBytesRead;

    /// <summary>Reads every tensor as a contiguous copy, in the file's order.</summary>
    /// <param name="maxStorageBytes">
    /// Refuse, before reading anything, when <see cref="StorageBytes"/> exceeds this (e.g. the bytes the model
    /// expects, plus a little).
    /// </param>
    /// <exception cref="CheckpointFormatException">Over budget, or a record cannot be read or holds more than it declares.</exception>
    public OrderedDictionary<string, TensorData> ReadAll(long maxStorageBytes = long.MaxValue) => _file.ReadTensors(Tensors, maxStorageBytes);

    /// <summary>Closes the file.</summary>
    public void Dispose() => _file.Dispose();
}

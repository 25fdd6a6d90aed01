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

    /// <summary>Reads some of the tensors (e.g. all but a classifier head), in the order given.</summary>
    /// <param name="keys">Names from <see cref="Tensors"/>.</param>
    /// <param name="maxStorageBytes">Refuse, before reading anything, when their storages declare more bytes than this.</param>
    /// <exception cref="KeyNotFoundException">A name is not in the state dict.</exception>
    /// <exception cref="CheckpointFormatException">Over budget, or a record cannot be read or holds more than it declares.</exception>
    public OrderedDictionary<string, TensorData> Read(IEnumerable<string> keys, long maxStorageBytes = long.MaxValue)
    {
        var byName = Tensors.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
        var chosen = keys.Select(k => byName.TryGetValue(k, out var t)
            ? new KeyValuePair<string, PickleTensor>(k, t)
            : throw new KeyNotFoundException($"{Path}: the state dict has no tensor '{k}'")).ToList();
        return _file.ReadTensors(chosen, maxStorageBytes);
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _file.Dispose();
}

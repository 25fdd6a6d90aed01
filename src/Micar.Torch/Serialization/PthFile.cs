using System.IO.Compression;
using System.Text;

namespace Micar.Torch.Serialization;

/// <summary>
/// An open PyTorch checkpoint in the zip format written by <c>torch.save</c> (the default since PyTorch 1.6):
/// the object tree of its <c>data.pkl</c>, interpreted without executing anything, and on-demand access to the
/// storages its tensors view.
/// </summary>
/// <remarks>
/// The archive holds <c>&lt;name&gt;/data.pkl</c> (the pickle), <c>&lt;name&gt;/data/&lt;key&gt;</c> (raw
/// storage bytes), <c>&lt;name&gt;/version</c> and, from newer PyTorch, <c>&lt;name&gt;/byteorder</c>. Only a
/// small allow-list of globals is accepted (see <see cref="PthReader"/>). Not thread-safe.
/// </remarks>
public sealed class PthFile : IDisposable
{
    /// <summary>Largest <c>data.pkl</c> record accepted, in bytes (a state dict's pickle takes a few hundred bytes per tensor).</summary>
    public const long MaxPickleBytes = 64L << 20;

    /// <summary>
    /// Largest ratio of a record's declared size to its compressed size accepted: deflate cannot do better than
    /// about 1032:1, so a record claiming more lies about its size (torch.save stores records uncompressed, 1:1).
    /// </summary>
    public const long MaxCompressionRatio = 1040;

    private readonly ZipArchive _zip;

    private PthFile(string path, ZipArchive zip, string archiveName, object? root, int? version, bool bigEndian)
    {
        Path = path;
        _zip = zip;
        ArchiveName = archiveName;
        Root = root;
        FormatVersion = version;
        IsBigEndian = bigEndian;
    }

    /// <summary>The file's path, as given to <see cref="Open"/>.</summary>
    public string Path { get; }

    /// <summary>The archive's top-level folder name (<c>archive</c>, or the file's stem for older PyTorch).</summary>
    public string ArchiveName { get; }

    /// <summary>
    /// The unpickled object: <see cref="PickleDict"/>, <see cref="PickleTensor"/>, <c>List&lt;object?&gt;</c>,
    /// <see cref="PickleTuple"/>, string, long, <see cref="System.Numerics.BigInteger"/>, double, bool, byte[]
    /// or null, nested.
    /// </summary>
    public object? Root { get; }

    /// <summary>The number in the archive's <c>version</c> record, if present.</summary>
    public int? FormatVersion { get; }

    /// <summary>True if the <c>byteorder</c> record says <c>big</c> (storages are then byte-swapped on reading).</summary>
    public bool IsBigEndian { get; }

    /// <summary>Bytes of storage records decompressed so far (each storage counted each time it is read).</summary>
    public long StorageBytesRead { get; private set; }

    /// <summary>Opens a checkpoint and unpickles its object tree; storages are read later, on demand.</summary>
    /// <param name="path">The <c>.pth</c>/<c>.pt</c> file.</param>
    /// <param name="allowUnknownGlobals">
    /// Accept globals outside the allow-list (e.g. numpy scalars next to the weights) as inert
    /// <see cref="PickleObject"/> records instead of failing. Nothing is executed either way.
    /// </param>
    /// <exception cref="CheckpointFormatException">Not a readable zip checkpoint, or its pickle is not acceptable.</exception>
    public static PthFile Open(string path, bool allowUnknownGlobals = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        try
        {
            CheckSignature(path, stream);
            ZipArchive zip;
            try
            {
                zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: false);
            }
            catch (InvalidDataException e)
            {
                throw new CheckpointFormatException(path, $"not a readable zip archive (truncated or corrupt?): {e.Message}", inner: e);
            }
            try
            {
                return Load(path, zip, allowUnknownGlobals);
            }
            catch
            {
                zip.Dispose();
                throw;
            }
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Reads the data of one tensor as a contiguous copy.</summary>
    /// <param name="tensor">A tensor from <see cref="Root"/>.</param>
    /// <param name="key">Name used in error messages.</param>
    public TensorData ReadTensor(PickleTensor tensor, string? key = null) =>
        ReadTensors([new KeyValuePair<string, PickleTensor>(key ?? "?", tensor)]).GetAt(0).Value;

    /// <summary>
    /// Reads several tensors, loading each storage once even when tensors share it, and releasing it after its
    /// last tensor. A tensor that is exactly its whole storage, which no other tensor uses, takes the storage's
    /// array without a copy; the others (views with offsets or strides) are gathered into contiguous copies.
    /// Before any storage is read, every tensor is checked with <see cref="CheckTensor"/>, names must be unique,
    /// and the storages' declared sizes must add up to no more than <paramref name="maxStorageBytes"/>.
    /// </summary>
    /// <param name="tensors">Name → tensor pairs, e.g. the entries of a state dict.</param>
    /// <param name="maxStorageBytes">Budget for the storages to read (each distinct storage counted once).</param>
    /// <exception cref="CheckpointFormatException">A check fails, the budget is exceeded or a record cannot be read.</exception>
    public OrderedDictionary<string, TensorData> ReadTensors(IEnumerable<KeyValuePair<string, PickleTensor>> tensors, long maxStorageBytes = long.MaxValue)
    {
        var list = tensors.ToList();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, t) in list)
        {
            if (!names.Add(key)) throw new CheckpointFormatException(Path, "the name is given twice", key);
            CheckTensor(t, key);
        }
        var total = StorageBytes(list.Select(e => e.Value));
        if (total > maxStorageBytes)
        {
            throw new CheckpointFormatException(Path,
                $"its storages declare {total} bytes in all, more than the {maxStorageBytes} bytes allowed for these {list.Count} tensors");
        }
        var uses = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (_, t) in list) uses[t.Storage.Key] = uses.GetValueOrDefault(t.Storage.Key) + 1;
        var remainingUses = new Dictionary<string, int>(uses, StringComparer.Ordinal);

        var loaded = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var result = new OrderedDictionary<string, TensorData>(list.Count);
        foreach (var (key, t) in list)
        {
            var storageKey = t.Storage.Key;
            if (!loaded.TryGetValue(storageKey, out var bytes))
            {
                bytes = LoadStorage(t.Storage, key);
                loaded[storageKey] = bytes;
            }
            var lastUse = --remainingUses[storageKey] == 0;
            if (lastUse) loaded.Remove(storageKey);
            result.Add(key, Materialize(t, bytes, key, canTakeStorage: uses[storageKey] == 1));
        }
        return result;
    }

    /// <summary>
    /// Checks a tensor against the archive's central directory without reading any storage: the storage record
    /// exists, its declared (uncompressed) size is the storage's element count × element size, that size is
    /// achievable from its compressed size (see <see cref="MaxCompressionRatio"/>), and the view (offset, size,
    /// stride) lies inside the storage.
    /// </summary>
    /// <param name="tensor">A tensor from <see cref="Root"/>.</param>
    /// <param name="key">Name used in error messages.</param>
    /// <exception cref="CheckpointFormatException">Any of these does not hold.</exception>
    public void CheckTensor(PickleTensor tensor, string key)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var storage = tensor.Storage;
        var entry = StorageEntry(storage, key);
        long expected;
        try
        {
            expected = storage.ByteLength;
        }
        catch (OverflowException e)
        {
            throw new CheckpointFormatException(Path, $"storage '{storage.Key}' size {storage.Numel} overflows", key, e);
        }
        if (entry.Length != expected)
        {
            throw new CheckpointFormatException(Path,
                $"storage '{storage.Key}' ({storage.Numel} × {storage.DType.TorchName()}) needs {expected} bytes " +
                $"but entry '{entry.FullName}' has {entry.Length}", key);
        }
        CheckRatio(entry, key);
        long extent;
        try
        {
            extent = StridedCopy.Extent(tensor.StorageOffset, tensor.Size, tensor.Stride);
            _ = checked(tensor.Numel * storage.DType.ElementSize());
        }
        catch (Exception e) when (e is OverflowException or ArgumentException)
        {
            throw new CheckpointFormatException(Path, $"size {TensorData.FormatShape(tensor.Size)} / stride {TensorData.FormatShape(tensor.Stride)} overflow", key, e);
        }
        if (tensor.Numel > 0 && extent > storage.Numel)
        {
            throw new CheckpointFormatException(Path,
                $"view (offset {tensor.StorageOffset}, size {TensorData.FormatShape(tensor.Size)}, stride {TensorData.FormatShape(tensor.Stride)}) " +
                $"reaches element {extent - 1} of storage '{storage.Key}', which has {storage.Numel} elements", key);
        }
    }

    /// <summary>The declared size, in bytes, of the distinct storages the tensors view (a shared storage counts once).</summary>
    /// <param name="tensors">Tensors from <see cref="Root"/>.</param>
    public static long StorageBytes(IEnumerable<PickleTensor> tensors)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long total = 0;
        foreach (var t in tensors)
        {
            if (seen.Add(t.Storage.Key)) total = checked(total + t.Storage.ByteLength);
        }
        return total;
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _zip.Dispose();

    private ZipArchiveEntry StorageEntry(PickleStorage storage, string tensorKey)
    {
        var entryName = $"{ArchiveName}/data/{storage.Key}";
        return _zip.GetEntry(entryName)
            ?? throw new CheckpointFormatException(Path, $"storage '{storage.Key}' has no archive entry '{entryName}'", tensorKey);
    }

    private void CheckRatio(ZipArchiveEntry entry, string? key) => CheckRatio(Path, entry, key);

    private static void CheckRatio(string path, ZipArchiveEntry entry, string? key)
    {
        if (entry.Length > 1024 && entry.Length / Math.Max(entry.CompressedLength, 1) > MaxCompressionRatio)
        {
            throw new CheckpointFormatException(path,
                $"entry '{entry.FullName}' declares {entry.Length} bytes from {entry.CompressedLength} compressed bytes, " +
                $"beyond any real compression (at most {MaxCompressionRatio}:1)", key);
        }
    }

    private TensorData Materialize(PickleTensor t, byte[] storage, string key, bool canTakeStorage)
    {
        var elementSize = t.DType.ElementSize();
        var storageNumel = storage.LongLength / elementSize;
        if (canTakeStorage && t.StorageOffset == 0 && t.Numel == storageNumel && t.IsContiguous)
            return new TensorData(t.DType, t.Size, storage);
        return new TensorData(t.DType, t.Size, StridedCopy.Gather(storage, elementSize, t.StorageOffset, t.Size, t.Stride));
    }

    /// <summary>Reads a storage whose tensor passed <see cref="CheckTensor"/>.</summary>
    private byte[] LoadStorage(PickleStorage storage, string tensorKey)
    {
        var entry = StorageEntry(storage, tensorKey);
        var expected = storage.ByteLength;
        if (expected > Array.MaxLength)
            throw new CheckpointFormatException(Path, $"storage '{storage.Key}' of {expected} bytes is too large for one array", tensorKey);
        var bytes = ReadEntry(Path, entry, (int)expected, tensorKey);
        StorageBytesRead += expected;
        if (IsBigEndian) StridedCopy.SwapBytes(bytes, storage.DType.ElementSize());
        return bytes;
    }

    /// <summary>
    /// Reads exactly the declared <paramref name="length"/> bytes of a record, and refuses a record whose data
    /// runs on past them (a zip can declare a small size over a deflate stream that inflates to much more): either
    /// the stream goes on, or (as .NET stops at the declared size) the bytes miss the record's declared CRC-32.
    /// </summary>
    private static byte[] ReadEntry(string path, ZipArchiveEntry entry, int length, string? key)
    {
        var bytes = new byte[length];
        try
        {
            using var s = entry.Open();
            s.ReadExactly(bytes);
            if (s.ReadByte() >= 0)
                throw new CheckpointFormatException(path, $"entry '{entry.FullName}' holds more data than the {length} bytes it declares", key);
            var crc = ZipCrc32.Compute(bytes);
            if (crc != entry.Crc32)
            {
                throw new CheckpointFormatException(path,
                    $"entry '{entry.FullName}': its {length} bytes have CRC-32 {crc:x8}, not the declared {entry.Crc32:x8} " +
                    "(corrupt, or its data is longer than it declares)", key);
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or (IOException and not CheckpointFormatException))
        {
            throw new CheckpointFormatException(path, $"cannot read archive entry '{entry.FullName}': {e.Message}", key, e);
        }
        return bytes;
    }

    private static void CheckSignature(string path, FileStream stream)
    {
        Span<byte> head = stackalloc byte[4];
        var n = stream.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        stream.Position = 0;
        if (n >= 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] is 3 or 5) return;
        const string resave = "re-save it with a recent PyTorch: torch.save(torch.load(f), g, _use_new_zipfile_serialization=True)";
        if (n >= 1 && head[0] == 0x80)
            throw new CheckpointFormatException(path, $"this is PyTorch's legacy (pre-1.6, non-zip) checkpoint format, which is not supported; {resave}");
        if (IsTar(stream))
            throw new CheckpointFormatException(path, $"this is PyTorch's legacy tar checkpoint format, which is not supported; {resave}");
        var hex = Convert.ToHexString(head[..n]);
        throw new CheckpointFormatException(path, $"not a PyTorch zip checkpoint (file starts with 0x{hex}, expected a zip signature)");
    }

    private static bool IsTar(FileStream stream)
    {
        Span<byte> magic = stackalloc byte[5];
        stream.Position = 257;
        var n = stream.ReadAtLeast(magic, 5, throwOnEndOfStream: false);
        stream.Position = 0;
        return n == 5 && magic.SequenceEqual("ustar"u8);
    }

    private static PthFile Load(string path, ZipArchive zip, bool allowUnknownGlobals)
    {
        var pickles = zip.Entries
            .Where(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) && e.FullName.IndexOf('/') == e.FullName.Length - 9)
            .ToList();
        if (pickles.Count == 0)
            throw new CheckpointFormatException(path, "the zip archive has no '<name>/data.pkl' record: not written by torch.save");
        if (pickles.Count > 1)
            throw new CheckpointFormatException(path, $"the zip archive has {pickles.Count} data.pkl records at top level");
        var pickleEntry = pickles[0];
        var archiveName = pickleEntry.FullName[..^9];
        if (zip.GetEntry($"{archiveName}/constants.pkl") is not null || zip.Entries.Any(e => e.FullName.StartsWith($"{archiveName}/code/", StringComparison.Ordinal)))
        {
            throw new CheckpointFormatException(path,
                "this is a TorchScript archive (torch.jit.save), not a torch.save checkpoint; save the state dict with torch.save(model.state_dict(), f)");
        }

        var version = ReadVersion(path, zip, archiveName);
        var bigEndian = ReadByteOrder(path, zip, archiveName);

        if (pickleEntry.Length > MaxPickleBytes)
        {
            throw new CheckpointFormatException(path,
                $"'{pickleEntry.FullName}' declares {pickleEntry.Length} bytes, more than the {MaxPickleBytes} accepted for a pickle");
        }
        CheckRatio(path, pickleEntry, null);
        var pickle = ReadEntry(path, pickleEntry, (int)pickleEntry.Length, null);
        var root = new Unpickler(pickle, path, pickleEntry.FullName, allowUnknownGlobals).Load();
        return new PthFile(path, zip, archiveName, root, version, bigEndian);
    }

    private static string? ReadSmallText(string path, ZipArchive zip, string name)
    {
        var entry = zip.GetEntry(name);
        if (entry is null) return null;
        if (entry.Length > 64) throw new CheckpointFormatException(path, $"record '{name}' is unexpectedly long ({entry.Length} bytes)");
        return Encoding.ASCII.GetString(ReadEntry(path, entry, (int)entry.Length, null)).Trim();
    }

    private static int? ReadVersion(string path, ZipArchive zip, string archiveName)
    {
        var text = ReadSmallText(path, zip, $"{archiveName}/version");
        if (text is null) return null;
        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new CheckpointFormatException(path, $"record '{archiveName}/version' holds '{text}', not a number");
    }

    private static bool ReadByteOrder(string path, ZipArchive zip, string archiveName) =>
        ReadSmallText(path, zip, $"{archiveName}/byteorder") switch
        {
            null or "little" => false,
            "big" => true,
            var other => throw new CheckpointFormatException(path, $"record '{archiveName}/byteorder' holds '{other}', expected 'little' or 'big'"),
        };
}

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
    /// </summary>
    /// <param name="tensors">Name → tensor pairs, e.g. the entries of a state dict.</param>
    public OrderedDictionary<string, TensorData> ReadTensors(IEnumerable<KeyValuePair<string, PickleTensor>> tensors)
    {
        var list = tensors.ToList();
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
            if (!result.TryAdd(key, Materialize(t, bytes, key, canTakeStorage: uses[storageKey] == 1)))
                throw new CheckpointFormatException(Path, "the name is given twice", key);
        }
        return result;
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _zip.Dispose();

    private TensorData Materialize(PickleTensor t, byte[] storage, string key, bool canTakeStorage)
    {
        var elementSize = t.DType.ElementSize();
        var storageNumel = storage.LongLength / elementSize;
        long extent;
        try
        {
            extent = StridedCopy.Extent(t.StorageOffset, t.Size, t.Stride);
            _ = checked(t.Numel * elementSize);
        }
        catch (OverflowException e)
        {
            throw new CheckpointFormatException(Path, $"size {TensorData.FormatShape(t.Size)} / stride overflow", key, e);
        }
        if (t.Numel > 0 && extent > storageNumel)
        {
            throw new CheckpointFormatException(Path,
                $"view (offset {t.StorageOffset}, size {TensorData.FormatShape(t.Size)}, stride {TensorData.FormatShape(t.Stride)}) " +
                $"reaches element {extent - 1} of storage '{t.Storage.Key}', which has {storageNumel} elements", key);
        }
        if (canTakeStorage && t.StorageOffset == 0 && t.Numel == storageNumel && t.IsContiguous)
            return new TensorData(t.DType, t.Size, storage);
        return new TensorData(t.DType, t.Size, StridedCopy.Gather(storage, elementSize, t.StorageOffset, t.Size, t.Stride));
    }

    private byte[] LoadStorage(PickleStorage storage, string tensorKey)
    {
        var entryName = $"{ArchiveName}/data/{storage.Key}";
        var entry = _zip.GetEntry(entryName)
            ?? throw new CheckpointFormatException(Path, $"storage '{storage.Key}' has no archive entry '{entryName}'", tensorKey);
        long expected;
        try
        {
            expected = storage.ByteLength;
        }
        catch (OverflowException e)
        {
            throw new CheckpointFormatException(Path, $"storage '{storage.Key}' size {storage.Numel} overflows", tensorKey, e);
        }
        if (entry.Length != expected)
        {
            throw new CheckpointFormatException(Path,
                $"storage '{storage.Key}' ({storage.Numel} × {storage.DType.TorchName()}) needs {expected} bytes " +
                $"but entry '{entryName}' has {entry.Length}", tensorKey);
        }
        if (expected > Array.MaxLength)
            throw new CheckpointFormatException(Path, $"storage '{storage.Key}' of {expected} bytes is too large for one array", tensorKey);
        var bytes = ReadEntry(entry, (int)expected, tensorKey);
        if (IsBigEndian) StridedCopy.SwapBytes(bytes, storage.DType.ElementSize());
        return bytes;
    }

    private byte[] ReadEntry(ZipArchiveEntry entry, int length, string? key)
    {
        var bytes = new byte[length];
        try
        {
            using var s = entry.Open();
            s.ReadExactly(bytes);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException)
        {
            throw new CheckpointFormatException(Path, $"cannot read archive entry '{entry.FullName}': {e.Message}", key, e);
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

        if (pickleEntry.Length > Array.MaxLength)
            throw new CheckpointFormatException(path, $"'{pickleEntry.FullName}' is too large ({pickleEntry.Length} bytes)");
        var pickle = new byte[pickleEntry.Length];
        try
        {
            using var s = pickleEntry.Open();
            s.ReadExactly(pickle);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException)
        {
            throw new CheckpointFormatException(path, $"cannot read '{pickleEntry.FullName}': {e.Message}", inner: e);
        }
        var root = new Unpickler(pickle, path, pickleEntry.FullName, allowUnknownGlobals).Load();
        return new PthFile(path, zip, archiveName, root, version, bigEndian);
    }

    private static string? ReadSmallText(string path, ZipArchive zip, string name)
    {
        var entry = zip.GetEntry(name);
        if (entry is null) return null;
        if (entry.Length > 64) throw new CheckpointFormatException(path, $"record '{name}' is unexpectedly long ({entry.Length} bytes)");
        try
        {
            using var s = entry.Open();
            using var reader = new StreamReader(s, Encoding.ASCII);
            return reader.ReadToEnd().Trim();
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw new CheckpointFormatException(path, $"cannot read record '{name}': {e.Message}", inner: e);
        }
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

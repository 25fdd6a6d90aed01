using System.Globalization;
using System.IO.Compression;

namespace Micar.Torch.Serialization;

/// <summary>
/// Writes a state dict as a PyTorch checkpoint that <c>torch.load</c> reads (zip format, pickle protocol 2),
/// so weights can be taken back to PyTorch: <c>model.load_state_dict(torch.load(f))</c>.
/// </summary>
/// <remarks>
/// The pickle is an <c>OrderedDict</c> of name → <c>torch._utils._rebuild_tensor_v2(...)</c>, one contiguous
/// CPU storage per tensor, using only the opcodes and globals <see cref="PthReader"/> accepts. The records are
/// <c>archive/data.pkl</c>, <c>archive/byteorder</c> (<c>little</c>), <c>archive/data/&lt;i&gt;</c> (stored,
/// uncompressed) and <c>archive/version</c> (<c>3</c>). Unlike <c>torch.save</c>, storage records are not padded
/// to 64-byte alignment, which <c>torch.load</c> does not require. The file is written atomically.
/// </remarks>
public static class PthWriter
{
    private const string ArchiveName = "archive";
    private static readonly DateTimeOffset FixedTime = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Writes the tensors as a state dict, in the order given.</summary>
    /// <param name="path">Destination file (replaced atomically).</param>
    /// <param name="stateDict">Name → tensor pairs; names must be unique.</param>
    /// <param name="wrapKey">
    /// When given, the file holds <c>{wrapKey: state_dict}</c> (e.g. <c>"model"</c> for the official snapshot
    /// layout) instead of the state dict itself.
    /// </param>
    /// <exception cref="ArgumentException">A name is repeated.</exception>
    public static void WriteStateDict(string path, IEnumerable<KeyValuePair<string, TensorData>> stateDict, string? wrapKey = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(stateDict);
        var entries = stateDict.ToList();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, tensor) in entries)
        {
            ArgumentNullException.ThrowIfNull(name, nameof(stateDict));
            ArgumentNullException.ThrowIfNull(tensor, nameof(stateDict));
            if (!names.Add(name)) throw new ArgumentException($"{path}: tensor '{name}' is given twice", nameof(stateDict));
        }
        var pickle = BuildPickle(entries, wrapKey);

        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            AddEntry(zip, "data.pkl", pickle);
            AddEntry(zip, "byteorder", "little"u8.ToArray());
            for (var i = 0; i < entries.Count; i++) AddEntry(zip, $"data/{i}", entries[i].Value.Data);
            AddEntry(zip, "version", "3\n"u8.ToArray());
        });
    }

    private static void AddEntry(ZipArchive zip, string name, byte[] content)
    {
        var entry = zip.CreateEntry($"{ArchiveName}/{name}", CompressionLevel.NoCompression);
        entry.LastWriteTime = FixedTime;
        using var s = entry.Open();
        s.Write(content);
    }

    private static byte[] BuildPickle(List<KeyValuePair<string, TensorData>> entries, string? wrapKey)
    {
        const int batch = 1000; // as Python's pickler: SETITEMS in batches
        var w = new PickleWriter().Proto();
        if (wrapKey is not null) w.Op(PickleOpcode.EMPTY_DICT).String(wrapKey);
        w.Global("collections", "OrderedDict").Op(PickleOpcode.EMPTY_TUPLE).Op(PickleOpcode.REDUCE);
        for (var start = 0; start < entries.Count; start += batch)
        {
            w.Op(PickleOpcode.MARK);
            for (var i = start; i < Math.Min(entries.Count, start + batch); i++)
            {
                var (name, tensor) = entries[i];
                w.String(name);
                WriteTensor(w, tensor, i.ToString(CultureInfo.InvariantCulture));
            }
            w.Op(PickleOpcode.SETITEMS);
        }
        if (wrapKey is not null) w.Op(PickleOpcode.SETITEM);
        return w.Op(PickleOpcode.STOP).ToArray();
    }

    /// <summary><c>_rebuild_tensor_v2(('storage', T, key, 'cpu', numel), 0, size, stride, False, OrderedDict())</c>.</summary>
    private static void WriteTensor(PickleWriter w, TensorData tensor, string storageKey)
    {
        w.Global("torch._utils", "_rebuild_tensor_v2").Op(PickleOpcode.MARK);
        w.Op(PickleOpcode.MARK).String("storage").Global("torch", StorageClass(tensor.DType)).String(storageKey).String("cpu")
            .Int(tensor.Numel).Op(PickleOpcode.TUPLE).Op(PickleOpcode.BINPERSID);
        w.Int(0).IntTuple(tensor.Shape).IntTuple(ContiguousStrides(tensor.Shape)).Bool(false);
        w.Global("collections", "OrderedDict").Op(PickleOpcode.EMPTY_TUPLE).Op(PickleOpcode.REDUCE);
        w.Op(PickleOpcode.TUPLE).Op(PickleOpcode.REDUCE);
    }

    private static long[] ContiguousStrides(long[] shape)
    {
        var strides = new long[shape.Length];
        long s = 1;
        for (var i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = s;
            s *= Math.Max(shape[i], 1);
        }
        return strides;
    }

    private static string StorageClass(DType dtype) => dtype switch
    {
        DType.Float32 => "FloatStorage",
        DType.Float64 => "DoubleStorage",
        DType.Float16 => "HalfStorage",
        DType.BFloat16 => "BFloat16Storage",
        DType.Int64 => "LongStorage",
        DType.Int32 => "IntStorage",
        DType.Int16 => "ShortStorage",
        DType.Int8 => "CharStorage",
        DType.UInt8 => "ByteStorage",
        DType.Bool => "BoolStorage",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "no PyTorch storage class for this dtype"),
    };
}

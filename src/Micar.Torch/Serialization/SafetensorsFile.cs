using System.Buffers.Binary;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace Micar.Torch.Serialization;

/// <summary>
/// An open safetensors file: the validated header, and tensors read one at a time on demand, straight from
/// the file into the array of the returned <see cref="TensorData"/> (nothing else is buffered, so reading a
/// large file needs only the memory of the tensors actually read).
/// </summary>
/// <remarks>
/// Format: an unsigned 64-bit little-endian header length N, N bytes of UTF-8 JSON
/// <c>{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, …, "__metadata__": {str: str}}</c>,
/// then the byte buffer. Opening validates the whole header: sane length, well-formed JSON object, known
/// dtypes, non-negative shapes, offsets consistent with the shapes, inside the buffer, non-overlapping and
/// covering the buffer without holes. Reads are thread-safe.
/// </remarks>
public sealed class SafetensorsFile : IDisposable
{
    /// <summary>Largest header accepted (the format's own limit is 100 MB).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private const string MetadataKey = "__metadata__";

    private readonly SafeFileHandle _handle;
    private readonly Dictionary<string, SafetensorsTensorInfo> _infos;
    private readonly string[] _keys;

    private SafetensorsFile(string path, SafeFileHandle handle, long dataStart, long dataLength,
        string[] keys, Dictionary<string, SafetensorsTensorInfo> infos, OrderedDictionary<string, string> metadata)
    {
        Path = path;
        _handle = handle;
        DataStart = dataStart;
        DataLength = dataLength;
        _keys = keys;
        _infos = infos;
        Metadata = new System.Collections.ObjectModel.ReadOnlyDictionary<string, string>(metadata);
    }

    /// <summary>The file's path, as given to <see cref="Open"/>.</summary>
    public string Path { get; }

    /// <summary>Tensor names in the order of the header (the order they were written in by this library).</summary>
    public IReadOnlyList<string> Keys => _keys;

    /// <summary>The <c>__metadata__</c> string map, in header order (empty if the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>File offset of the byte buffer (8 + header length).</summary>
    public long DataStart { get; }

    /// <summary>Length of the byte buffer.</summary>
    public long DataLength { get; }

    /// <summary>Opens a file and validates its header; tensor data is not read yet.</summary>
    /// <param name="path">The safetensors file.</param>
    /// <exception cref="CheckpointFormatException">The header is malformed or inconsistent.</exception>
    public static SafetensorsFile Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            var fileLength = RandomAccess.GetLength(handle);
            if (fileLength < 8)
                throw new CheckpointFormatException(path, $"file of {fileLength} bytes is too short for a safetensors header length");
            Span<byte> lengthBytes = stackalloc byte[8];
            ReadExactly(handle, lengthBytes, 0);
            var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
            if (headerLength == 0 || headerLength > MaxHeaderBytes)
            {
                throw new CheckpointFormatException(path,
                    $"header length {headerLength} is not sane (must be between 1 and {MaxHeaderBytes}); not a safetensors file?");
            }
            if ((long)headerLength > fileLength - 8)
            {
                throw new CheckpointFormatException(path,
                    $"header length {headerLength} exceeds the {fileLength - 8} bytes after the length field (truncated file?)");
            }
            var header = new byte[headerLength];
            ReadExactly(handle, header, 8);
            var dataStart = 8 + (long)headerLength;
            var dataLength = fileLength - dataStart;
            var (keys, infos, metadata) = ParseHeader(path, header, dataLength);
            return new SafetensorsFile(path, handle, dataStart, dataLength, keys, infos, metadata);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Reads every tensor of a file, in header order.</summary>
    /// <param name="path">The safetensors file.</param>
    public static OrderedDictionary<string, TensorData> Load(string path)
    {
        using var file = Open(path);
        return file.ReadAll();
    }

    /// <summary>True if the file holds a tensor of that name.</summary>
    /// <param name="key">Tensor name.</param>
    public bool Contains(string key) => _infos.ContainsKey(key);

    /// <summary>Dtype, shape and location of a tensor.</summary>
    /// <param name="key">Tensor name.</param>
    /// <exception cref="KeyNotFoundException">No tensor of that name.</exception>
    public SafetensorsTensorInfo Info(string key)
    {
        var info = Lookup(key);
        return info with { Shape = (long[])info.Shape.Clone() };
    }

    /// <summary>Reads one tensor from the file.</summary>
    /// <param name="key">Tensor name.</param>
    /// <exception cref="KeyNotFoundException">No tensor of that name.</exception>
    /// <exception cref="CheckpointFormatException">The file changed or cannot be read.</exception>
    public TensorData Read(string key)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        var info = Lookup(key);
        if (info.ByteLength > Array.MaxLength)
            throw new CheckpointFormatException(Path, $"{info.ByteLength} bytes is more than one array can hold", key);
        var data = new byte[info.ByteLength];
        try
        {
            ReadExactly(_handle, data, DataStart + info.DataBegin);
        }
        catch (EndOfStreamException e)
        {
            throw new CheckpointFormatException(Path, "the file ended before the tensor's data (was it truncated after opening?)", key, e);
        }
        return new TensorData(info.DType, info.Shape, data);
    }

    /// <summary>Reads every tensor, in header order.</summary>
    public OrderedDictionary<string, TensorData> ReadAll()
    {
        var result = new OrderedDictionary<string, TensorData>(_keys.Length);
        foreach (var key in _keys) result.Add(key, Read(key));
        return result;
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _handle.Dispose();

    private SafetensorsTensorInfo Lookup(string key) =>
        _infos.TryGetValue(key, out var info)
            ? info
            : throw new KeyNotFoundException($"{Path}: no tensor '{key}' (the file has {_keys.Length} tensors)");

    private static void ReadExactly(SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        while (!buffer.IsEmpty)
        {
            var n = RandomAccess.Read(handle, buffer, offset);
            if (n <= 0) throw new EndOfStreamException();
            buffer = buffer[n..];
            offset += n;
        }
    }

    private static (string[] Keys, Dictionary<string, SafetensorsTensorInfo> Infos, OrderedDictionary<string, string> Metadata)
        ParseHeader(string path, byte[] header, long dataLength)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(path,
                $"header is not well-formed JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {e.Message}", inner: e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new CheckpointFormatException(path, $"header must be a JSON object, found {root.ValueKind}");

            var keys = new List<string>();
            var infos = new Dictionary<string, SafetensorsTensorInfo>(StringComparer.Ordinal);
            var metadata = new OrderedDictionary<string, string>(StringComparer.Ordinal);
            var sawMetadata = false;
            foreach (var property in root.EnumerateObject())
            {
                if (property.Name == MetadataKey)
                {
                    if (sawMetadata) throw new CheckpointFormatException(path, $"'{MetadataKey}' appears twice in the header");
                    sawMetadata = true;
                    ParseMetadata(path, property.Value, metadata);
                    continue;
                }
                if (infos.ContainsKey(property.Name))
                    throw new CheckpointFormatException(path, "the key appears twice in the header", property.Name);
                var info = ParseInfo(path, property.Name, property.Value, dataLength);
                infos.Add(info.Key, info);
                keys.Add(info.Key);
            }
            CheckCoverage(path, infos.Values, dataLength);
            return (keys.ToArray(), infos, metadata);
        }
    }

    private static void ParseMetadata(string path, JsonElement value, OrderedDictionary<string, string> metadata)
    {
        if (value.ValueKind == JsonValueKind.Null) return;
        if (value.ValueKind != JsonValueKind.Object)
            throw new CheckpointFormatException(path, $"'{MetadataKey}' must be an object of strings, found {value.ValueKind}");
        foreach (var entry in value.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
            {
                throw new CheckpointFormatException(path,
                    $"'{MetadataKey}' entry '{entry.Name}' must be a string, found {entry.Value.ValueKind}");
            }
            if (!metadata.TryAdd(entry.Name, entry.Value.GetString()!))
                throw new CheckpointFormatException(path, $"'{MetadataKey}' entry '{entry.Name}' appears twice");
        }
    }

    private static SafetensorsTensorInfo ParseInfo(string path, string key, JsonElement value, long dataLength)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new CheckpointFormatException(path, $"header entry must be an object, found {value.ValueKind}", key);
        JsonElement? dtypeElement = null, shapeElement = null, offsetsElement = null;
        foreach (var field in value.EnumerateObject())
        {
            switch (field.Name)
            {
                case "dtype" when dtypeElement is null: dtypeElement = field.Value; break;
                case "shape" when shapeElement is null: shapeElement = field.Value; break;
                case "data_offsets" when offsetsElement is null: offsetsElement = field.Value; break;
                case "dtype" or "shape" or "data_offsets":
                    throw new CheckpointFormatException(path, $"field '{field.Name}' appears twice", key);
                default:
                    throw new CheckpointFormatException(path, $"unexpected field '{field.Name}' in the header entry", key);
            }
        }
        if (dtypeElement is not { ValueKind: JsonValueKind.String } d)
            throw new CheckpointFormatException(path, "missing or non-string 'dtype'", key);
        var code = d.GetString()!;
        if (!SafetensorsDTypeCodes.TryParse(code, out var dtype))
            throw new CheckpointFormatException(path, $"unsupported dtype '{code}'", key);

        var shape = ReadIntegerArray(path, key, "shape", shapeElement, expectedLength: null);
        var offsets = ReadIntegerArray(path, key, "data_offsets", offsetsElement, expectedLength: 2);
        long begin = offsets[0], end = offsets[1];
        if (begin > end)
            throw new CheckpointFormatException(path, $"data_offsets [{begin}, {end}] are reversed", key);
        if (end > dataLength)
        {
            throw new CheckpointFormatException(path,
                $"data_offsets [{begin}, {end}] run past the end of the {dataLength}-byte data buffer", key);
        }
        long expectedBytes;
        try
        {
            expectedBytes = checked(TensorData.NumelOf(shape) * dtype.ElementSize());
        }
        catch (OverflowException e)
        {
            throw new CheckpointFormatException(path, $"shape {TensorData.FormatShape(shape)} is too large", key, e);
        }
        if (end - begin != expectedBytes)
        {
            throw new CheckpointFormatException(path,
                $"data_offsets [{begin}, {end}] span {end - begin} bytes but a {code} tensor of shape " +
                $"{TensorData.FormatShape(shape)} needs {expectedBytes}", key);
        }
        return new SafetensorsTensorInfo(key, dtype, shape, begin, end);
    }

    private static long[] ReadIntegerArray(string path, string key, string field, JsonElement? element, int? expectedLength)
    {
        if (element is not { ValueKind: JsonValueKind.Array } array)
            throw new CheckpointFormatException(path, $"missing or non-array '{field}'", key);
        var length = array.GetArrayLength();
        if (expectedLength is { } n && length != n)
            throw new CheckpointFormatException(path, $"'{field}' must have {n} entries, found {length}", key);
        var result = new long[length];
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out var v) || v < 0)
                throw new CheckpointFormatException(path, $"'{field}' entry {i} ({item.GetRawText()}) is not a non-negative integer", key);
            result[i++] = v;
        }
        return result;
    }

    private static void CheckCoverage(string path, IEnumerable<SafetensorsTensorInfo> infos, long dataLength)
    {
        var sorted = infos.OrderBy(i => i.DataBegin).ThenBy(i => i.DataEnd).ToList();
        long cursor = 0;
        string? previous = null;
        foreach (var info in sorted)
        {
            if (info.DataBegin < cursor)
            {
                throw new CheckpointFormatException(path,
                    $"data_offsets [{info.DataBegin}, {info.DataEnd}] overlap those of '{previous}' (which end at {cursor})", info.Key);
            }
            if (info.DataBegin > cursor)
            {
                throw new CheckpointFormatException(path,
                    $"data_offsets [{info.DataBegin}, {info.DataEnd}] leave a hole: bytes {cursor}..{info.DataBegin} belong to no tensor", info.Key);
            }
            cursor = info.DataEnd;
            previous = info.Key;
        }
        if (cursor != dataLength)
        {
            throw new CheckpointFormatException(path,
                $"the tensors cover {cursor} bytes but the data buffer has {dataLength} (truncated file or trailing bytes)");
        }
    }
}

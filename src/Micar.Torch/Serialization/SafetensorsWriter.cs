using System.Buffers.Binary;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Micar.Torch.Serialization;

/// <summary>Writes safetensors files atomically.</summary>
public static class SafetensorsWriter
{
    /// <summary>
    /// Writes tensors (in the order given, which is also the order of their bytes in the buffer) and an optional
    /// <c>__metadata__</c> string map. The file is first written to a temporary file in the same directory,
    /// flushed to disk and then renamed over <paramref name="path"/>, so a reader never sees a partial file and
    /// a failed write leaves any previous file intact.
    /// </summary>
    /// <param name="path">Destination file.</param>
    /// <param name="tensors">Name → tensor pairs; names must be unique and not <c>__metadata__</c>.</param>
    /// <param name="metadata">Optional string → string map stored as <c>__metadata__</c>, in the order given.</param>
    /// <exception cref="ArgumentException">A name is repeated or reserved.</exception>
    public static void Write(string path, IEnumerable<KeyValuePair<string, TensorData>> tensors,
        IEnumerable<KeyValuePair<string, string>>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var entries = tensors.ToList();
        var header = BuildHeader(path, entries, metadata?.ToList());

        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach (var (_, tensor) in entries) stream.Write(tensor.Data);
        });
    }

    /// <summary>The header JSON, padded with spaces to a multiple of 8 bytes so the buffer starts aligned.</summary>
    private static byte[] BuildHeader(string path, List<KeyValuePair<string, TensorData>> entries,
        List<KeyValuePair<string, string>>? metadata)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                var metadataKeys = new HashSet<string>(StringComparer.Ordinal);
                json.WriteStartObject("__metadata__");
                foreach (var (key, value) in metadata)
                {
                    ArgumentNullException.ThrowIfNull(key, nameof(metadata));
                    ArgumentNullException.ThrowIfNull(value, nameof(metadata));
                    if (!metadataKeys.Add(key))
                        throw new ArgumentException($"{path}: metadata key '{key}' is given twice", nameof(metadata));
                    json.WriteString(key, value);
                }
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, tensor) in entries)
            {
                ArgumentNullException.ThrowIfNull(name, "tensors");
                ArgumentNullException.ThrowIfNull(tensor, "tensors");
                if (name == "__metadata__")
                    throw new ArgumentException($"{path}: '__metadata__' is reserved and cannot name a tensor", "tensors");
                if (!names.Add(name))
                    throw new ArgumentException($"{path}: tensor '{name}' is given twice", "tensors");
                json.WriteStartObject(name);
                json.WriteString("dtype", SafetensorsDTypeCodes.ToCode(tensor.DType));
                json.WriteStartArray("shape");
                foreach (var d in tensor.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                offset += tensor.Data.LongLength;
                json.WriteNumberValue(offset);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        var padding = (int)((8 - buffer.Length % 8) % 8);
        for (var i = 0; i < padding; i++) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }
}

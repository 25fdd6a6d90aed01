using System.Buffers.Binary;
using System.Text;
using Micar.Torch.Serialization;
using Xunit;

namespace Micar.Torch.Tests.Serialization;

public class SafetensorsTests
{
    private static OrderedDictionary<string, TensorData> Sample() => new()
    {
        ["z.last_name_first"] = TensorData.FromArray([1f, -2f, 3.5f, 0f, 5f, 6f], [2, 3]),
        ["a.int"] = TensorData.FromArray([long.MaxValue, -1L], [2]),
        ["m.bf16"] = TensorData.FromBFloat16Bits([0x3F80, 0xC020], [1, 2]),
        ["m.f16"] = TensorData.FromArray([(Half)1.5], [1]),
        ["flags"] = TensorData.FromArray([true, false, true]),
        ["scalar"] = TensorData.FromArray([2.5], []),
        ["empty"] = new TensorData(DType.Float32, [0, 4], []),
        ["i32"] = TensorData.FromArray([7, -8]),
        ["i16"] = TensorData.FromArray([(short)9]),
        ["i8"] = TensorData.FromArray([(sbyte)-9]),
        ["u8"] = TensorData.FromArray([(byte)200]),
    };

    [Fact]
    public void RoundTrip_KeepsOrderValuesAndMetadata()
    {
        using var dir = new TempDirectory();
        var path = dir.File("x.safetensors");
        var tensors = Sample();
        var metadata = new OrderedDictionary<string, string> { ["format"] = "pt", ["b"] = "ünïcode \"quoted\"", ["a"] = "" };
        SafetensorsWriter.Write(path, tensors, metadata);

        using var file = SafetensorsFile.Open(path);
        Assert.Equal(tensors.Keys, file.Keys);
        Assert.Equal(metadata.ToList(), file.Metadata.ToList());
        var back = file.ReadAll();
        Assert.Equal(tensors.Keys, back.Keys);
        foreach (var (key, t) in tensors) Assert.Equal(t, back[key]);
        // The temporary file was renamed: nothing else is left in the directory.
        Assert.Equal([path], Directory.GetFiles(dir.Root));
    }

    [Fact]
    public void Writer_LaysOutHeaderAndBufferAsSpecified()
    {
        using var dir = new TempDirectory();
        var path = dir.File("x.safetensors");
        SafetensorsWriter.Write(path, [new("w", TensorData.FromArray([1f, 2f])), new("b", TensorData.FromArray([3L]))],
            [new("k", "v")]);
        var bytes = File.ReadAllBytes(path);
        var n = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, n % 8);
        var header = Encoding.UTF8.GetString(bytes, 8, n);
        Assert.Equal(
            """{"__metadata__":{"k":"v"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"I64","shape":[1],"data_offsets":[8,16]}}""",
            header.TrimEnd(' '));
        Assert.Equal(8 + n + 16, bytes.Length);
        Assert.Equal(new byte[] { 0, 0, 0x80, 0x3F, 0, 0, 0, 0x40, 3, 0, 0, 0, 0, 0, 0, 0 }, bytes[(8 + n)..]);
    }

    [Fact]
    public void Writer_ReplacesExistingFileAndKeepsItOnFailure()
    {
        using var dir = new TempDirectory();
        var path = dir.File("x.safetensors");
        File.WriteAllText(path, "old");
        SafetensorsWriter.Write(path, [new("w", TensorData.FromArray([1f]))]);
        Assert.Equal(["w"], SafetensorsFile.Load(path).Keys);

        var before = File.ReadAllBytes(path);
        var e = Assert.Throws<ArgumentException>(() => SafetensorsWriter.Write(path,
            [new("w", TensorData.FromArray([1f])), new("w", TensorData.FromArray([2f]))]));
        Assert.Contains("'w' is given twice", e.Message);
        Assert.Throws<ArgumentException>(() => SafetensorsWriter.Write(path, [new("__metadata__", TensorData.FromArray([1f]))]));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(dir.Root));
    }

    [Fact]
    public void EmptyFile_RoundTrips()
    {
        using var dir = new TempDirectory();
        var path = dir.File("empty.safetensors");
        SafetensorsWriter.Write(path, []);
        using var file = SafetensorsFile.Open(path);
        Assert.Empty(file.Keys);
        Assert.Empty(file.Metadata);
    }

    [Fact]
    public void PythonWrittenFile_ReadsExactValues()
    {
        var path = SerializationFixtures.Path("python_written.safetensors");
        using var file = SafetensorsFile.Open(path);
        Assert.Equal(["a", "b", "c", "d", "e", "empty", "scalar", "u8"], file.Keys);
        Assert.Equal([new("format", "pt"), new KeyValuePair<string, string>("note", "ünïcode")], file.Metadata.ToList());

        var info = file.Info("a");
        Assert.Equal(DType.Float32, info.DType);
        Assert.Equal([2L, 3L], info.Shape);
        Assert.Equal(0, info.DataBegin);
        Assert.Equal(24, info.DataEnd);

        Assert.Equal([0f, 0.25f, 0.5f, 0.75f, 1f, 1.25f], file.Read("a").ToFloat32Array());
        Assert.Equal([-1L, 1L << 40], file.Read("b").ToInt64Array());
        Assert.Equal([(ushort)0x3FC0, (ushort)0xC000], file.Read("c").ToBFloat16Bits());
        Assert.Equal([true, false, true], file.Read("d").ToBoolArray());
        var e = file.Read("e");
        Assert.Equal([2L, 1L], e.Shape);
        Assert.Equal([0.5f, -3f], e.ConvertToFloat32());
        Assert.Equal([0L, 3L], file.Read("empty").Shape);
        var scalar = file.Read("scalar");
        Assert.Empty(scalar.Shape);
        Assert.Equal([2.5], scalar.ToFloat64Array());
        Assert.Equal([(byte)7, (byte)255], file.Read("u8").ToUInt8Array());
    }

    [Fact]
    public void Index_ReadsSubsetOnDemand()
    {
        var path = SerializationFixtures.Path("torchvision_subset.expected.safetensors");
        using var file = SafetensorsFile.Open(path);
        Assert.True(file.Contains("layer1.0.conv2.weight"));
        Assert.False(file.Contains("fc.weight"));
        var info = file.Info("layer1.0.conv2.weight");
        Assert.Equal([64L, 64L, 3L, 3L], info.Shape);
        info.Shape[0] = 1; // a copy: the file's view is unaffected
        var t = file.Read("layer1.0.conv2.weight");
        Assert.Equal([64L, 64L, 3L, 3L], t.Shape);
        Assert.Equal(64 * 64 * 9 * 4, t.Data.Length);
        var missing = Assert.Throws<KeyNotFoundException>(() => file.Read("fc.weight"));
        Assert.Contains("fc.weight", missing.Message);
        Assert.Contains(path, missing.Message);
    }

    [Fact]
    public void LargeFile_StreamsWithoutExtraCopies()
    {
        using var dir = new TempDirectory();
        var path = dir.File("big.safetensors");
        const int floats = 16 * 1024 * 1024; // 64 MiB
        var values = new float[floats];
        for (var i = 0; i < values.Length; i++) values[i] = i * 0.5f - 7f;
        var big = TensorData.FromArray(values, [4096, 4096]);
        var small = TensorData.FromArray([1L, 2L, 3L]);

        var allocated = GC.GetAllocatedBytesForCurrentThread();
        SafetensorsWriter.Write(path, [new("small", small), new("big", big)], [new("what", "64 MiB")]);
        var writeAllocations = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Assert.True(writeAllocations < 4 << 20, $"writing allocated {writeAllocations} bytes");

        using var file = SafetensorsFile.Open(path);
        Assert.Equal(64L * 1024 * 1024 + 24, file.DataLength);
        Assert.Equal(new FileInfo(path).Length, file.DataStart + file.DataLength);
        allocated = GC.GetAllocatedBytesForCurrentThread();
        var back = file.Read("big");
        var readAllocations = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Assert.True(readAllocations < big.Data.Length + (1 << 20), $"reading allocated {readAllocations} bytes");
        Assert.Equal(big, back);
        Assert.Equal(small, file.Read("small"));
    }

    // ---- corrupt input ----

    private static string WriteRaw(TempDirectory dir, string header, int bufferBytes, ulong? declaredLength = null)
    {
        var path = dir.File("bad.safetensors");
        var h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + bufferBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredLength ?? (ulong)h.Length);
        h.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static CheckpointFormatException Fails(string path)
    {
        var e = Assert.Throws<CheckpointFormatException>(() => SafetensorsFile.Open(path).Dispose());
        Assert.Contains(path, e.Message);
        Assert.Equal(path, e.FilePath);
        return e;
    }

    [Theory]
    [InlineData("""{"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]""", "not well-formed JSON", null)]
    [InlineData("""[1, 2]""", "must be a JSON object", null)]
    [InlineData("""{"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 16]}}""", "run past the end", "w")]
    [InlineData("""{"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}""", "needs 12", "w")]
    [InlineData("""{"w": {"dtype": "F32", "shape": [2], "data_offsets": [8, 0]}}""", "reversed", "w")]
    [InlineData("""{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "v": {"dtype": "F32", "shape": [1], "data_offsets": [2, 6]}}""", "overlap", "v")]
    [InlineData("""{"w": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}""", "hole", "w")]
    [InlineData("""{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}""", "cover 4 bytes but the data buffer has 8", null)]
    [InlineData("""{"w": {"dtype": "F8_E4M3", "shape": [8], "data_offsets": [0, 8]}}""", "unsupported dtype 'F8_E4M3'", "w")]
    [InlineData("""{"w": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}}""", "'shape' entry 0 (-2)", "w")]
    [InlineData("""{"w": {"dtype": "F32", "shape": [2.5], "data_offsets": [0, 8]}}""", "'shape' entry 0 (2.5)", "w")]
    [InlineData("""{"w": {"dtype": "F32", "shape": [2]}}""", "missing or non-array 'data_offsets'", "w")]
    [InlineData("""{"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8, 9]}}""", "must have 2 entries", "w")]
    [InlineData("""{"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8], "extra": 1}}""", "unexpected field 'extra'", "w")]
    [InlineData("""{"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}""", "appears twice", "w")]
    [InlineData("""{"w": 3}""", "must be an object", "w")]
    [InlineData("""{"__metadata__": {"a": 1}, "w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}""", "entry 'a' must be a string", null)]
    [InlineData("""{"w": {"dtype": "F32", "shape": [4611686018427387904, 4], "data_offsets": [0, 8]}}""", "too large", "w")]
    public void CorruptHeader_IsRejectedWithFileAndKey(string header, string problem, string? key)
    {
        using var dir = new TempDirectory();
        var path = WriteRaw(dir, header, 8);
        var e = Fails(path);
        Assert.Contains(problem, e.Message);
        Assert.Equal(key, e.Key);
        if (key is not null) Assert.Contains($"tensor '{key}'", e.Message);
    }

    [Fact]
    public void InsaneHeaderLength_IsRejected()
    {
        using var dir = new TempDirectory();
        Assert.Contains("not sane", Fails(WriteRaw(dir, "{}", 0, declaredLength: 1UL << 40)).Message);
        Assert.Contains("not sane", Fails(WriteRaw(dir, "", 0, declaredLength: 0)).Message);
        Assert.Contains("exceeds", Fails(WriteRaw(dir, "{}", 0, declaredLength: 1000)).Message);
    }

    [Fact]
    public void TooShortFile_IsRejected()
    {
        using var dir = new TempDirectory();
        var path = dir.File("short.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.Contains("too short", Fails(path).Message);
    }

    [Fact]
    public void TruncatedFile_IsRejectedNamingTheTensor()
    {
        using var dir = new TempDirectory();
        var path = dir.File("t.safetensors");
        SafetensorsWriter.Write(path, [new("a", TensorData.FromArray([1f, 2f])), new("b", TensorData.FromArray([3f, 4f]))]);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^4]);
        var e = Fails(path);
        Assert.Equal("b", e.Key);
        Assert.Contains("run past the end", e.Message);
    }
}

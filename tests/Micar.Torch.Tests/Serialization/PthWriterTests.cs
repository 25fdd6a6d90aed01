using Micar.Torch.Serialization;
using Xunit;

namespace Micar.Torch.Tests.Serialization;

public class PthWriterTests
{
    /// <summary>
    /// When this environment variable names a folder, the written checkpoints (and the same tensors as
    /// safetensors) are copied there, so that <c>scripts/fixtures/make_serialization_fixtures.py --check DIR</c>
    /// can load them with PyTorch. It does not change what the tests check.
    /// </summary>
    private const string ExportVariable = "MICAR_SERIAL_EXPORT_DIR";

    private static OrderedDictionary<string, TensorData> Sample()
    {
        var big = new float[300 * 5];
        for (var i = 0; i < big.Length; i++) big[i] = MathF.Sin(i);
        return new()
        {
            ["conv.weight"] = TensorData.FromArray(big, [300, 5, 1, 1]),
            ["bn.num_batches_tracked"] = TensorData.FromArray([123456789012L], []),
            ["pe"] = TensorData.FromArray([0.5f, -0.25f, 1f, 2f, 3f, 4f], [1, 2, 3]),
            ["half"] = TensorData.FromArray([(Half)1.5, (Half)(-2)]),
            ["bf16"] = TensorData.FromBFloat16Bits([0x3F80, 0xC020, 0x4049]),
            ["f64"] = TensorData.FromArray([Math.PI]),
            ["i32"] = TensorData.FromArray([-70000, 5]),
            ["i16"] = TensorData.FromArray([(short)-3]),
            ["i8"] = TensorData.FromArray([(sbyte)-4]),
            ["u8"] = TensorData.FromArray([(byte)250]),
            ["mask"] = TensorData.FromArray([true, false]),
            ["empty"] = new TensorData(DType.Float32, [2, 0], []),
        };
    }

    [Theory]
    [InlineData(null)]
    [InlineData("model")]
    public void RoundTrip_ThroughReader(string? wrapKey)
    {
        using var dir = new TempDirectory();
        var path = dir.File("out.pth");
        var sd = Sample();
        PthWriter.WriteStateDict(path, sd, wrapKey);

        var back = PthReader.ReadStateDict(path);
        Assert.Equal(sd.Keys, back.Keys);
        foreach (var (k, t) in sd) Assert.Equal(t, back[k]);

        var root = Assert.IsType<PickleDict>(PthReader.ReadObject(path));
        var stateDict = wrapKey is null ? root : Assert.IsType<PickleDict>(root.Entries.Single().Value);
        Assert.True(stateDict.IsOrderedDict);
        Assert.Equal(wrapKey is null ? "conv.weight" : wrapKey, root.Entries[0].Key);
        using var file = PthFile.Open(path);
        Assert.Equal("archive", file.ArchiveName);
        Assert.Equal(3, file.FormatVersion);
        Assert.Equal([path], Directory.GetFiles(dir.Root));

        if (Environment.GetEnvironmentVariable(ExportVariable) is { Length: > 0 } export)
        {
            Directory.CreateDirectory(export);
            var name = wrapKey is null ? "csharp_plain" : "csharp_wrapped";
            File.Copy(path, Path.Combine(export, name + ".pth"), overwrite: true);
            SafetensorsWriter.Write(Path.Combine(export, name + ".safetensors"), sd, [new("wrap", wrapKey ?? "")]);
        }
    }

    [Fact]
    public void ManyEntries_AreWrittenInBatches()
    {
        using var dir = new TempDirectory();
        var path = dir.File("many.pth");
        var sd = new OrderedDictionary<string, TensorData>();
        for (var i = 0; i < 2500; i++) sd.Add($"t{i}", TensorData.FromArray([i]));
        PthWriter.WriteStateDict(path, sd);
        var back = PthReader.ReadStateDict(path);
        Assert.Equal(sd.Keys, back.Keys);
        Assert.Equal([2499], back["t2499"].ToInt32Array());
    }

    [Fact]
    public void RepeatedName_IsRejected()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<ArgumentException>(() => PthWriter.WriteStateDict(dir.File("x.pth"),
            [new("a", TensorData.FromArray([1f])), new("a", TensorData.FromArray([2f]))]));
        Assert.Contains("'a' is given twice", e.Message);
        Assert.Empty(Directory.GetFiles(dir.Root));
    }
}

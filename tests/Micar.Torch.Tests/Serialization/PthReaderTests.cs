using System.Numerics;
using Micar.Torch.Serialization;
using Xunit;

namespace Micar.Torch.Tests.Serialization;

public class PthReaderTests
{
    /// <summary>Reads a .pth fixture and compares it, name by name and byte by byte, with its expected safetensors.</summary>
    private static OrderedDictionary<string, TensorData> ReadAndCompare(string name, string? key = null)
    {
        var actual = PthReader.ReadStateDict(SerializationFixtures.Path(name), key);
        var expected = SafetensorsFile.Load(SerializationFixtures.Path(name.Replace(".pth", ".expected.safetensors")));
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (k, e) in expected)
        {
            var a = actual[k];
            Assert.True(e.Equals(a), $"{name}: '{k}' differs: expected {e}, got {a}");
        }
        return actual;
    }

    [Theory]
    [InlineData("official_snapshot.pth")]
    [InlineData("torchvision_subset.pth")]
    [InlineData("dtypes.pth")]
    [InlineData("views.pth")]
    [InlineData("parameters.pth")]
    [InlineData("one_key.pth")]
    [InlineData("protocol4.pth")]
    [InlineData("checkpoint_misc.pth")]
    [InlineData("torch2_style.pth")]
    [InlineData("big_endian.pth")]
    public void Fixture_MatchesExpectedTensorsExactly(string name) => ReadAndCompare(name);

    [Fact]
    public void OfficialSnapshot_UsesModelEntryInStateDictOrder()
    {
        var sd = ReadAndCompare("official_snapshot.pth");
        Assert.Equal(
            ["freqs", "pe", "conv.weight", "conv.bias", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var",
             "bn.num_batches_tracked", "head.weight", "head.bias"],
            sd.Keys);
        var tracked = sd["bn.num_batches_tracked"];
        Assert.Equal(DType.Int64, tracked.DType);
        Assert.Empty(tracked.Shape);
        Assert.Equal([1L], tracked.ToInt64Array());
        Assert.Equal([1L, 4L, 6L], sd["pe"].Shape);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => i / 7.0f), sd["pe"].ToFloat32Array());
        Assert.Equal([4L, 3L, 3L, 3L], sd["conv.weight"].Shape);
    }

    [Fact]
    public void OfficialSnapshot_ObjectTreeShowsCudaLocationAndMetadata()
    {
        var root = Assert.IsType<PickleDict>(PthReader.ReadObject(SerializationFixtures.Path("official_snapshot.pth")));
        Assert.False(root.IsOrderedDict);
        Assert.True(root.TryGetValue("model", out var model));
        var sd = Assert.IsType<PickleDict>(model);
        Assert.True(sd.IsOrderedDict);
        Assert.NotNull(sd.Attributes);
        Assert.True(sd.Attributes!.TryGetValue("_metadata", out var metadata));
        Assert.IsType<PickleDict>(metadata);
        Assert.True(sd.TryGetValue("conv.weight", out var w));
        var tensor = Assert.IsType<PickleTensor>(w);
        Assert.Equal("cuda:0", tensor.Storage.Location);
        Assert.Equal(DType.Float32, tensor.DType);
        Assert.Equal([4L, 3L, 3L, 3L], tensor.Size);
        Assert.Equal([27L, 9L, 3L, 1L], tensor.Stride);
        Assert.True(tensor.IsContiguous);
    }

    [Fact]
    public void TorchvisionSubset_HasResNetStemKeys()
    {
        using var file = PthFile.Open(SerializationFixtures.Path("torchvision_subset.pth"));
        Assert.Equal("torchvision_subset", file.ArchiveName); // torch 1.x names the folder after the file
        Assert.Equal(3, file.FormatVersion);
        Assert.False(file.IsBigEndian);
        var sd = ReadAndCompare("torchvision_subset.pth");
        Assert.Equal(18, sd.Count);
        Assert.Equal("conv1.weight", sd.GetAt(0).Key);
        Assert.Equal([64L, 3L, 7L, 7L], sd["conv1.weight"].Shape);
        Assert.Equal("layer1.0.bn2.num_batches_tracked", sd.GetAt(17).Key);
    }

    [Fact]
    public void Dtypes_HandCheckedValues()
    {
        var sd = ReadAndCompare("dtypes.pth");
        Assert.Equal([1.5f, -2.25f, 3f, 0f, -0f, 1e-8f], sd["f32"].ToFloat32Array());
        Assert.Equal([2L, 3L], sd["f32"].Shape);
        Assert.Equal([1.0 / 3.0, -1e300, 2.5], sd["f64"].ToFloat64Array());
        Assert.Equal([0.5f, -1.25f, 65504f, 6.103515625e-05f], sd["f16"].ConvertToFloat32());
        // bfloat16 bit patterns: 1.0 = 0x3F80, -2.5 = 0xC020, 3.140625 = 0x4049, 1e30 (float32 0x7149F2CA) rounds up to 0x714A.
        Assert.Equal([(ushort)0x3F80, (ushort)0xC020, (ushort)0x4049, (ushort)0x714A], sd["bf16"].ToBFloat16Bits());
        Assert.Equal([-(1L << 62), 7L, 1L << 40], sd["i64"].ToInt64Array());
        Assert.Equal([-7, 1 << 30, 3, -1], sd["i32"].ToInt32Array());
        Assert.Equal([(short)-300, (short)12345], sd["i16"].ToInt16Array());
        Assert.Equal([(sbyte)-128, (sbyte)127, (sbyte)0], sd["i8"].ToInt8Array());
        Assert.Equal([(byte)0, (byte)200, (byte)255], sd["u8"].ToUInt8Array());
        Assert.Equal([true, false, true, true], sd["bool"].ToBoolArray());
        Assert.Empty(sd["scalar_i64"].Shape);
        Assert.Equal([42L], sd["scalar_i64"].ToInt64Array());
        Assert.Equal([-0.75f], sd["scalar_f32"].ToFloat32Array());
        Assert.Equal([0L], sd["empty"].Shape);
        Assert.Equal([2L, 0L], sd["empty_2d"].Shape);
    }

    [Fact]
    public void Views_AreGatheredIntoContiguousCopies()
    {
        var sd = ReadAndCompare("views.pth");
        // base = arange(24).reshape(4, 6): base[i, j] = 6i + j.
        float B(int i, int j) => 6 * i + j;
        Assert.Equal(Grid(6, 4, (j, i) => B(i, j)), sd["transposed"].ToFloat32Array());
        Assert.Equal([6L, 4L], sd["transposed"].Shape);
        Assert.Equal(Grid(2, 6, (i, j) => B(1 + i, j)), sd["rows_1_3"].ToFloat32Array());
        Assert.Equal(Grid(4, 3, (i, k) => B(i, 2 * k)), sd["every_other_col"].ToFloat32Array());
        Assert.Equal(Grid(2, 3, (i, j) => B(1 + i, 2 + j)), sd["block"].ToFloat32Array());
        Assert.Equal([4f, 10f, 16f, 22f], sd["column"].ToFloat32Array());
        Assert.Equal([1f, 2f, 3f, 1f, 2f, 3f], sd["expanded"].ToFloat32Array());
        Assert.Equal([21L, 24L, 27L], sd["tail"].ToInt64Array());
        // permuted = arange(24).reshape(2, 3, 4).permute(2, 0, 1): p[c, a, b] = 12a + 4b + c.
        var permuted = new List<int>();
        for (var c = 0; c < 4; c++) for (var a = 0; a < 2; a++) for (var b = 0; b < 3; b++) permuted.Add(12 * a + 4 * b + c);
        Assert.Equal(permuted, sd["permuted"].ToInt32Array());
        Assert.Equal([4L, 2L, 3L], sd["permuted"].Shape);
        Assert.Empty(sd["scalar_view"].Shape);
        Assert.Equal([15f], sd["scalar_view"].ToFloat32Array());
        Assert.Equal([0L, 6L], sd["empty_view"].Shape);
        // Every tensor owns its bytes: shared storages were copied, not aliased.
        Assert.NotSame(sd["base"].Data, sd["rows_1_3"].Data);
    }

    private static float[] Grid(int rows, int cols, Func<int, int, float> f)
    {
        var result = new float[rows * cols];
        for (var i = 0; i < rows; i++) for (var j = 0; j < cols; j++) result[i * cols + j] = f(i, j);
        return result;
    }

    [Fact]
    public void Parameters_KeepRequiresGradFlags()
    {
        var root = Assert.IsType<PickleDict>(PthReader.ReadObject(SerializationFixtures.Path("parameters.pth")));
        root.TryGetValue("weight", out var w);
        root.TryGetValue("frozen", out var f);
        root.TryGetValue("buffer", out var b);
        Assert.True(((PickleTensor)w!).IsParameter);
        Assert.True(((PickleTensor)w!).RequiresGrad);
        Assert.True(((PickleTensor)f!).IsParameter);
        Assert.False(((PickleTensor)f!).RequiresGrad);
        Assert.False(((PickleTensor)b!).IsParameter);
        Assert.Equal([1f, 2f], ReadAndCompare("parameters.pth")["frozen"].ToFloat32Array());
    }

    [Fact]
    public void OneKeyDict_UsesSetItem()
    {
        var sd = ReadAndCompare("one_key.pth");
        Assert.Equal([1f, 2f, 3f, 4f], sd["w"].ToFloat32Array());
        Assert.Equal([2L, 2L], sd["w"].Shape);
    }

    [Fact]
    public void Torch2Style_ReadsNewerRebuildFunctionsAndByteOrderRecord()
    {
        using var file = PthFile.Open(SerializationFixtures.Path("torch2_style.pth"));
        Assert.Equal("archive", file.ArchiveName);
        Assert.False(file.IsBigEndian);
        var root = Assert.IsType<PickleDict>(file.Root);
        root.TryGetValue("param_with_state", out var p);
        root.TryGetValue("from_type_param", out var q);
        root.TryGetValue("from_type_tensor", out var t);
        Assert.True(((PickleTensor)p!).IsParameter);
        Assert.True(((PickleTensor)q!).IsParameter && ((PickleTensor)q!).RequiresGrad);
        Assert.False(((PickleTensor)t!).IsParameter);
        var sd = ReadAndCompare("torch2_style.pth");
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], sd["with_metadata"].ToFloat32Array());
        Assert.Equal([0.5f, -1.5f, 2f], sd["param_with_state"].ConvertToFloat32());
        // arange(12).reshape(3, 4).t()
        Assert.Equal([(short)0, (short)4, (short)8, (short)1, (short)5, (short)9, (short)2, (short)6, (short)10, (short)3, (short)7, (short)11],
            sd["from_type_tensor"].ToInt16Array());
        Assert.Equal([9.0, 8.0], sd["from_type_param"].ToFloat64Array());
    }

    [Fact]
    public void BigEndian_StoragesAreSwapped()
    {
        using (var file = PthFile.Open(SerializationFixtures.Path("big_endian.pth")))
            Assert.True(file.IsBigEndian);
        var sd = ReadAndCompare("big_endian.pth");
        Assert.Equal([1f, -2.5f, 3.25f], sd["f32"].ToFloat32Array());
        Assert.Equal([1L, -2L, 1L << 40], sd["i64"].ToInt64Array());
        Assert.Equal([0.5f, 1.5f], sd["f16"].ConvertToFloat32());
        Assert.Equal([(byte)1, (byte)2, (byte)250], sd["u8"].ToUInt8Array());
        Assert.Equal([0, 3, 1, 4, 2, 5], sd["i32_t"].ToInt32Array());
    }

    [Fact]
    public void CheckpointMisc_StateDictEntryAndPlainValues()
    {
        var path = SerializationFixtures.Path("checkpoint_misc.pth");
        var sd = ReadAndCompare("checkpoint_misc.pth");
        Assert.Equal(["w", "steps"], sd.Keys);
        Assert.Equal(sd.Keys, PthReader.ReadStateDict(path, key: "state_dict").Keys);

        var root = Assert.IsType<PickleDict>(PthReader.ReadObject(path));
        object? Get(string k) => root.TryGetValue(k, out var v) ? v : throw new KeyNotFoundException(k);
        Assert.Equal(7L, Get("epoch"));
        Assert.Equal(0.001, Get("lr"));
        Assert.Null(Get("best"));
        Assert.Equal(true, Get("flag"));
        var history = Assert.IsType<List<object?>>(Get("history"));
        Assert.Equal([1L, 2.5, "x"], history);
        Assert.Equal(BigInteger.Pow(2, 70), Get("big"));
        Assert.Equal(-5L, Get("neg"));
        Assert.Equal(70000L, Get("int32"));
        Assert.Equal(300L, Get("int16"));
        Assert.Equal("ab"u8.ToArray(), Get("raw"));
        Assert.Equal(new PickleTuple([1L, "a"]), Get("pair"));
        var nested = Assert.IsType<PickleDict>(Get("nested"));
        Assert.True(nested.TryGetValue(new PickleTuple([1L, "a"]), out var two));
        Assert.Equal(2L, two);
        Assert.True(nested.TryGetValue(3.0, out var empty)); // Python equality: 3 == 3.0
        Assert.Equal(0, Assert.IsType<PickleDict>(empty).Count);
        Assert.Equal("ünïcode", Get("text"));
    }

    // ---- errors ----

    private static CheckpointFormatException Fails(string path, Action read)
    {
        var e = Assert.Throws<CheckpointFormatException>(read);
        Assert.Contains(path, e.Message);
        return e;
    }

    [Fact]
    public void Legacy_IsRejectedWithAdvice()
    {
        var path = SerializationFixtures.Path("legacy.pth");
        var e = Fails(path, () => PthReader.ReadStateDict(path));
        Assert.Contains("legacy", e.Message);
        Assert.Contains("_use_new_zipfile_serialization=True", e.Message);
    }

    [Fact]
    public void DisallowedGlobal_IsRejectedNamingIt()
    {
        var path = SerializationFixtures.Path("disallowed_global.pth");
        var e = Fails(path, () => PthReader.ReadStateDict(path));
        Assert.Contains("global 'collections.Counter' is not allowed", e.Message);
        Assert.Contains("data.pkl, byte", e.Message);
        Assert.DoesNotContain("pickled module", e.Message);
        Fails(path, () => PthReader.ReadObject(path));
    }

    [Fact]
    public void DisallowedGlobal_CanBeToleratedAsInertRecord()
    {
        var path = SerializationFixtures.Path("disallowed_global.pth");
        var sd = PthReader.ReadStateDict(path, allowUnknownGlobals: true);
        Assert.Equal(["w", "b"], sd.Keys);
        Assert.Equal([1f, 1f], sd["w"].ToFloat32Array());
        var root = Assert.IsType<PickleDict>(PthReader.ReadObject(path, allowUnknownGlobals: true));
        Assert.True(root.TryGetValue("counts", out var counts));
        var record = Assert.IsType<PickleObject>(counts);
        Assert.Equal("collections.Counter", record.Callable.FullName);
        var arg = Assert.IsType<PickleDict>(Assert.Single(record.Arguments.Items));
        Assert.True(arg.TryGetValue("a", out var a));
        Assert.Equal(2L, a);
    }

    [Fact]
    public void TruncatedZip_IsRejected()
    {
        using var dir = new TempDirectory();
        var path = dir.File("truncated.pth");
        var bytes = File.ReadAllBytes(SerializationFixtures.Path("official_snapshot.pth"));
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Fails(path, () => PthReader.ReadStateDict(path));
        Assert.Contains("not a readable zip archive", e.Message);
    }

    [Fact]
    public void NonCheckpointFile_IsRejected()
    {
        using var dir = new TempDirectory();
        var path = dir.File("text.pth");
        File.WriteAllText(path, "hello world");
        Assert.Contains("not a PyTorch zip checkpoint", Fails(path, () => PthReader.ReadStateDict(path)).Message);
        var zip = dir.File("other.zip");
        SerializationFixtures.WriteZip(zip, ("readme.txt", "hi"u8.ToArray()));
        Assert.Contains("no '<name>/data.pkl'", Fails(zip, () => PthReader.ReadStateDict(zip)).Message);
    }

    [Fact]
    public void TorchScriptArchive_IsRecognised()
    {
        using var dir = new TempDirectory();
        var path = dir.File("scripted.pt");
        SerializationFixtures.WriteZip(path,
            ("m/data.pkl", new PickleBuilder().Proto().Op('}').Op('.').ToArray()),
            ("m/constants.pkl", new PickleBuilder().Proto().Op(')').Op('.').ToArray()),
            ("m/code/__torch__.py", "x"u8.ToArray()));
        Assert.Contains("TorchScript", Fails(path, () => PthReader.ReadStateDict(path)).Message);
    }

    private static string WriteCheckpoint(TempDirectory dir, byte[] pickle, params (string Key, byte[] Bytes)[] storages)
    {
        var path = dir.File("handmade.pth");
        var entries = new List<(string, byte[])> { ("archive/data.pkl", pickle) };
        entries.AddRange(storages.Select(s => ($"archive/data/{s.Key}", s.Bytes)));
        entries.Add(("archive/version", "3\n"u8.ToArray()));
        SerializationFixtures.WriteZip(path, entries.ToArray());
        return path;
    }

    private static byte[] Floats(params float[] values) => TensorData.FromArray(values).Data;

    [Fact]
    public void HandmadeCheckpoint_ReadsAsExpected()
    {
        using var dir = new TempDirectory();
        // {'w': tensor viewing storage '0' (4 floats) at offset 1 with size (3,), stride (1,)}
        var pickle = new PickleBuilder().Proto().Op('}').Str("w").Tensor("0", 4, 1, [3], [1]).Op('s').Op('.').ToArray();
        var path = WriteCheckpoint(dir, pickle, ("0", Floats(10, 11, 12, 13)));
        Assert.Equal([11f, 12f, 13f], PthReader.ReadStateDict(path)["w"].ToFloat32Array());
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 0x02, 0xFF }, "unknown pickle opcode 0xff")]
    [InlineData(new byte[] { 0x80, 0x02, (byte)'i' }, "unsupported pickle opcode INST (0x69)")]
    [InlineData(new byte[] { 0x80, 0x02, 0x82, 1 }, "unsupported pickle opcode EXT1")]
    [InlineData(new byte[] { 0x80, 0x02, (byte)'}' }, "pickle ends without STOP")]
    [InlineData(new byte[] { 0x80, 0x02, (byte)'s', (byte)'.' }, "stack underflow")]
    [InlineData(new byte[] { 0x80, 0x02, (byte)'h', 5, (byte)'.' }, "memo entry 5")]
    [InlineData(new byte[] { 0x80, 0x02, (byte)'X', 100, 0, 0, 0, (byte)'a' }, "runs past the end of the pickle")]
    [InlineData(new byte[] { 0x80, 0x09, (byte)'.' }, "unsupported pickle protocol 9")]
    [InlineData(new byte[] { 0x80, 0x02, (byte)'N', (byte)'N', (byte)'.' }, "STOP with 2 values")]
    public void BrokenPickle_IsRejectedNamingTheProblem(byte[] pickle, string problem)
    {
        using var dir = new TempDirectory();
        var path = WriteCheckpoint(dir, pickle);
        var e = Fails(path, () => PthReader.ReadObject(path));
        Assert.Contains(problem, e.Message);
        Assert.Contains("archive/data.pkl, byte", e.Message);
    }

    [Fact]
    public void DangerousGlobal_IsNeverResolved()
    {
        using var dir = new TempDirectory();
        var pickle = new PickleBuilder().Proto().Global("os", "system").Str("echo hi").Op('\x85').Op('R').Op('.').ToArray();
        var path = WriteCheckpoint(dir, pickle);
        Assert.Contains("global 'os.system' is not allowed", Fails(path, () => PthReader.ReadObject(path)).Message);
        // Even when tolerated, it is only recorded, never called.
        var record = Assert.IsType<PickleObject>(PthReader.ReadObject(path, allowUnknownGlobals: true));
        Assert.Equal("os.system", record.Callable.FullName);
        Assert.Equal("echo hi", record.Arguments[0]);
    }

    [Fact]
    public void PickledModule_GetsAHint()
    {
        using var dir = new TempDirectory();
        var pickle = new PickleBuilder().Proto().Global("__main__", "Net").Op(')').Op('\x81').Op('.').ToArray();
        var path = WriteCheckpoint(dir, pickle);
        var e = Fails(path, () => PthReader.ReadStateDict(path));
        Assert.Contains("global '__main__.Net' is not allowed", e.Message);
        Assert.Contains("save model.state_dict() instead", e.Message);
    }

    [Fact]
    public void ViewOutsideStorage_IsRejectedNamingTheTensor()
    {
        using var dir = new TempDirectory();
        var pickle = new PickleBuilder().Proto().Op('}').Str("w").Tensor("0", 4, 2, [2, 2], [2, 1]).Op('s').Op('.').ToArray();
        var path = WriteCheckpoint(dir, pickle, ("0", Floats(1, 2, 3, 4)));
        var e = Fails(path, () => PthReader.ReadStateDict(path));
        Assert.Equal("w", e.Key);
        Assert.Contains("reaches element 5 of storage '0', which has 4 elements", e.Message);
    }

    [Fact]
    public void StorageOfWrongSize_IsRejected()
    {
        using var dir = new TempDirectory();
        var pickle = new PickleBuilder().Proto().Op('}').Str("w").Tensor("0", 4, 0, [4], [1]).Op('s').Op('.').ToArray();
        var path = WriteCheckpoint(dir, pickle, ("0", Floats(1, 2, 3)));
        var e = Fails(path, () => PthReader.ReadStateDict(path));
        Assert.Equal("w", e.Key);
        Assert.Contains("needs 16 bytes but entry 'archive/data/0' has 12", e.Message);

        var missing = WriteCheckpoint(dir, pickle);
        Assert.Contains("has no archive entry 'archive/data/0'", Fails(missing, () => PthReader.ReadStateDict(missing)).Message);
    }

    [Fact]
    public void UnsupportedStorageType_IsRejected()
    {
        using var dir = new TempDirectory();
        var pickle = new PickleBuilder().Proto().Op('}').Str("w").Tensor("0", 1, 0, [1], [1], "ComplexFloatStorage").Op('s').Op('.').ToArray();
        var path = WriteCheckpoint(dir, pickle, ("0", new byte[8]));
        Assert.Contains("global 'torch.ComplexFloatStorage' is not allowed", Fails(path, () => PthReader.ReadStateDict(path)).Message);
    }

    [Fact]
    public void StateDictSelection_Errors()
    {
        using var dir = new TempDirectory();
        // {'w': tensor, 'epoch': 3}: neither 'model' nor only tensors.
        var pickle = new PickleBuilder().Proto().Op('}').Op('(').Str("w").Tensor("0", 1, 0, [1], [1]).Str("epoch").Int(3).Op('u').Op('.').ToArray();
        var path = WriteCheckpoint(dir, pickle, ("0", Floats(1)));
        var e = Fails(path, () => PthReader.ReadStateDict(path));
        Assert.Contains("cannot tell where the state dict is", e.Message);
        Assert.Contains("['w', 'epoch']", e.Message);
        Assert.Contains("no entry 'model'", Fails(path, () => PthReader.ReadStateDict(path, key: "model")).Message);
        Assert.Contains("entry 'epoch' is int", Fails(path, () => PthReader.ReadStateDict(path, key: "epoch")).Message);

        // {'model': {'w': tensor, 'extra': 3}}: a non-tensor inside the state dict.
        var nonTensor = new PickleBuilder().Proto().Op('}').Str("model").Op('}').Op('(').Str("w").Tensor("0", 1, 0, [1], [1])
            .Str("extra").Int(3).Op('u').Op('s').Op('.').ToArray();
        var path2 = WriteCheckpoint(dir, nonTensor, ("0", Floats(1)));
        var e2 = Fails(path2, () => PthReader.ReadStateDict(path2));
        Assert.Equal("extra", e2.Key);
        Assert.Contains("value is int, not a tensor", e2.Message);

        var list = WriteCheckpoint(dir, new PickleBuilder().Proto().Op(']').Op('.').ToArray());
        Assert.Contains("top-level object is list", Fails(list, () => PthReader.ReadStateDict(list)).Message);
    }
}

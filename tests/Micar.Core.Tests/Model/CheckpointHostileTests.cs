using Micar.Data;
using Micar.Layers;
using Micar.Model;
using Micar.Torch;
using Micar.Torch.Serialization;
using Xunit;
using Xunit.Abstractions;

namespace Micar.Tests.Model;


/// <summary>
/// Checkpoints that do not fit the model are refused before their data is read, and tensors of the wrong dtype
/// or with NaN/Inf values are refused naming the key, for .pth imports and Micar's safetensors checkpoints alike.
/// </summary>
public class CheckpointHostileTests(ITestOutputHelper output)
{
    private const string Victim = "gen_logits.1.weight"; // a float32 parameter of the fixture model

    private static Dictionary<string, TensorData> StateDict(CaptionNet net) =>
        net.Params.Entries().ToDictionary(e => e.Key, e => e.Value.ToTensorData());

    private static string TempFile(string extension) => Path.Combine(Path.GetTempPath(), $"micar-hostile-{Guid.NewGuid():N}{extension}");

    private static string WritePth(IEnumerable<KeyValuePair<string, TensorData>> tensors)
    {
        var path = TempFile(".pth");
        PthWriter.WriteStateDict(path, tensors, wrapKey: "model");
        return path;
    }

    private static (T Error, long Allocated) Refuse<T>(Action load) where T : Exception
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<T>(load);
        return (e, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Pth_whose_keys_do_not_match_is_refused_before_any_tensor_data_is_read()
    {
        using var scope = Libtorch.NewScope();
        var net = ModelFixture.Net();
        var tensors = StateDict(net);
        var modelBytes = tensors.Values.Sum(t => t.Data.LongLength);
        tensors["renamed." + Victim] = tensors[Victim];
        tensors.Remove(Victim);
        var path = WritePth(tensors);
        try
        {
            var (e, allocated) = Refuse<CheckpointMismatchException>(() => Checkpoint.ImportPth(net.Description, path));
            output.WriteLine($"model {modelBytes} bytes; mismatching .pth refused after {allocated} bytes allocated");
            Assert.Contains(path, e.Message);
            Assert.Equal([Victim], e.Mismatch.Missing);
            Assert.Equal(["renamed." + Victim], e.Mismatch.Unexpected);
            Assert.True(allocated < modelBytes / 8, $"{allocated} bytes allocated for a {modelBytes}-byte model");
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Integer_data_for_a_float_parameter_is_refused_from_the_description()
    {
        using var scope = Libtorch.NewScope();
        var net = ModelFixture.Net();
        var tensors = StateDict(net);
        var shape = tensors[Victim].Shape;
        tensors[Victim] = new TensorData(DType.Int32, shape, new byte[tensors[Victim].Data.Length]);
        var tracked = tensors.Keys.First(k => k.EndsWith("num_batches_tracked"));
        tensors[tracked] = TensorData.FromArray([1.0f], []);

        var e = Assert.Throws<CheckpointMismatchException>(() => Checkpoint.FromTensors(net.Description, tensors, "typed.pth"));
        Assert.Contains("typed.pth", e.Message);
        Assert.Contains($"{Victim} int32 vs float32", e.Mismatch.WrongDType);
        Assert.Contains($"{tracked} float32 vs int64", e.Mismatch.WrongDType);
        Assert.Contains("2 wrongly typed", e.Message);

        var path = WritePth(tensors);
        try
        {
            var (e2, allocated) = Refuse<CheckpointMismatchException>(() => Checkpoint.ImportPth(net.Description, path));
            Assert.Equal(2, e2.Mismatch.WrongDType.Count);
            Assert.True(allocated < 4 << 20, $"{allocated} bytes allocated");
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Float64_and_bfloat16_checkpoints_load_into_float32_and_integer_buffers_accept_int32()
    {
        using var scope = Libtorch.NewScope();
        var net = ModelFixture.Net();
        var tensors = StateDict(net);
        var doubled = tensors.ToDictionary(kv => kv.Key, kv => kv.Value.DType == DType.Float32
            ? TensorData.FromArray(kv.Value.ToFloat32Array().Select(v => (double)v).ToArray(), kv.Value.Shape)
            : new TensorData(DType.Int32, kv.Value.Shape, new byte[kv.Value.Numel * 4]));
        using (var store = Checkpoint.FromTensors(net.Description, doubled, "f64.pth"))
        {
            Assert.Equal(DType.Float32, store[Victim].DType);
            Assert.True(store[Victim].Equal(net.Params[Victim]));
        }
        var bf16 = new Dictionary<string, TensorData>(tensors) { [Victim] = TensorData.FromBFloat16Bits(new ushort[tensors[Victim].Numel], tensors[Victim].Shape) };
        using (var store = Checkpoint.FromTensors(net.Description, bf16, "bf16.pth"))
            Assert.Equal(0f, store[Victim].Abs().Max().Item<float>());
    }

    [Fact]
    public void Nan_and_inf_are_refused_naming_the_key_and_count_in_pth_imports()
    {
        using var scope = Libtorch.NewScope();
        var net = ModelFixture.Net();
        var tensors = StateDict(net);
        var values = tensors[Victim].ToFloat32Array();
        values[0] = float.NaN;
        values[5] = float.PositiveInfinity;
        values[^1] = float.NegativeInfinity;
        tensors[Victim] = TensorData.FromArray(values, tensors[Victim].Shape);
        var path = WritePth(tensors);
        try
        {
            var e = Assert.Throws<CheckpointFormatException>(() => Checkpoint.ImportPth(net.Description, path));
            Assert.Equal(path, e.FilePath);
            Assert.Equal(Victim, e.Key);
            Assert.Contains($"3 of {values.Length} values are NaN or infinite", e.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Float64_values_beyond_float32_range_are_refused()
    {
        var info = ModelFixture.Spec().Compile().Parameters().First(p => p.Name == Victim);
        var values = new double[info.Numel];
        values[3] = 1e300;
        var e = Assert.Throws<CheckpointFormatException>(() =>
            Checkpoint.CheckTensor(Victim, TensorData.FromArray(values, info.Shape.ToArray()), info, "big.safetensors"));
        Assert.Equal(Victim, e.Key);
        Assert.Contains("1 of", e.Message);
        Assert.Contains("out of float32's range", e.Message);
        Checkpoint.CheckTensor(Victim, TensorData.FromArray(new double[info.Numel], info.Shape.ToArray()), info, "ok.safetensors");
    }

    [Fact]
    public void Micar_checkpoint_with_nan_is_refused_and_one_that_does_not_match_reads_no_data()
    {
        using var scope = Libtorch.NewScope();
        var spec = ModelFixture.Spec();
        var net = ModelFixture.Net(spec);
        var dir = Path.Combine(Path.GetTempPath(), "micar-hostile-ckpt-" + Guid.NewGuid().ToString("N"));
        try
        {
            var vocab = Vocabulary.FromRegularTokens(Enumerable.Range(0, 46).Select(i => $"w{i:D2}"));
            Checkpoint.Save(dir, spec, net.Params, vocab);
            var weights = Path.Combine(dir, Checkpoint.WeightsFile);
            var tensors = StateDict(net);
            var values = tensors[Victim].ToFloat32Array();
            values[1] = float.NaN;
            tensors[Victim] = TensorData.FromArray(values, tensors[Victim].Shape);
            SafetensorsWriter.Write(weights, tensors);
            var e = Assert.Throws<CheckpointFormatException>(() => Checkpoint.Load(dir));
            Assert.Equal(weights, e.FilePath);
            Assert.Equal(Victim, e.Key);
            Assert.Contains($"1 of {values.Length} values are NaN or infinite", e.Message);

            // 16 MiB of unexpected data next to the model's tensors: refused from the header alone.
            tensors[Victim] = TensorData.FromArray(new float[values.Length], tensors[Victim].Shape);
            tensors["extra.weight"] = TensorData.FromArray(new float[4 << 20]);
            SafetensorsWriter.Write(weights, tensors);
            var modelBytes = tensors.Values.Sum(t => t.Data.LongLength);
            var (mismatch, allocated) = Refuse<CheckpointMismatchException>(() => Checkpoint.Load(dir));
            output.WriteLine($"checkpoint of {modelBytes} bytes with an unexpected key refused after {allocated} bytes allocated");
            Assert.Equal(["extra.weight"], mismatch.Mismatch.Unexpected);
            Assert.True(allocated < 8 << 20, $"{allocated} bytes allocated");
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Torchvision_backbone_with_nan_or_wrong_dtype_changes_nothing()
    {
        using var scope = Libtorch.NewScope();
        var net = ModelFixture.Net();
        var trunk = net.Params.Keys.Where(k => k.StartsWith("vis_enc.layer")).ToList();
        var before = trunk.ToDictionary(k => k, k => net.Params[k].ToTensorData());
        TensorData Value(string k) => k.EndsWith("num_batches_tracked")
            ? TensorData.FromArray([0L], [])
            : TensorData.FromArray(Enumerable.Repeat(0.5f, (int)before[k].Numel).ToArray(), before[k].Shape);
        var tv = trunk.ToDictionary(k => Micar.Layers.Msve.OfficialToTorchvision(k["vis_enc.".Length..])!, Value);
        var conv = tv.Keys.First(k => k.EndsWith("conv2.weight"));
        var values = tv[conv].ToFloat32Array();
        values[2] = float.PositiveInfinity;
        tv[conv] = TensorData.FromArray(values, tv[conv].Shape);
        var path = TempFile(".pth");
        try
        {
            PthWriter.WriteStateDict(path, tv);
            var e = Assert.Throws<CheckpointFormatException>(() => Checkpoint.LoadTorchvisionBackbone(net.Params, path));
            Assert.Equal(conv, e.Key);
            Assert.Contains("1 of", e.Message);

            tv[conv] = new TensorData(DType.Int8, tv[conv].Shape, new byte[tv[conv].Numel]);
            PthWriter.WriteStateDict(path, tv);
            var m = Assert.Throws<CheckpointMismatchException>(() => Checkpoint.LoadTorchvisionBackbone(net.Params, path));
            Assert.Single(m.Mismatch.WrongDType);
            Assert.Contains("int8 vs float32", m.Mismatch.WrongDType[0]);
            foreach (var k in trunk) Assert.Equal(before[k], net.Params[k].ToTensorData());
        }
        finally { File.Delete(path); }
    }
}

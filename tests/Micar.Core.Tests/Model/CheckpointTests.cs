using Micar.Data;
using Micar.Model;
using Micar.Torch;
using Micar.Torch.Serialization;
using Xunit;
using Micar.Nn;

namespace Micar.Tests.Model;


public class CheckpointTests
{
    [Fact]
    public void Save_then_load_gives_identical_logits()
    {
        using var scope = Libtorch.NewScope();
        var f = DeterministicWeights.Load("tiny_model.safetensors");
        var spec = ModelFixture.Spec();
        var net = ModelFixture.Net(spec);
        var dir = Path.Combine(Path.GetTempPath(), "micar-ckpt-" + Guid.NewGuid().ToString("N"));
        try
        {
            var vocab = Vocabulary.FromRegularTokens(Enumerable.Range(0, 46).Select(i => $"w{i:D2}"));
            Checkpoint.Save(dir, spec, net.Params, vocab);
            var loaded = Checkpoint.Load(dir);
            using var noGrad = Autograd.NoGrad();
            var a = net.Forward(f["image"], f["ids"], f["pad_mask"], ForwardContext.Eval).Logits;
            var b = loaded.Net().Forward(f["image"], f["ids"], f["pad_mask"], ForwardContext.Eval).Logits;
            Assert.True(a.Equal(b));
            Assert.Equal(50, loaded.Vocab.Count);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void An_official_pth_snapshot_imports_by_name_and_reproduces_the_reference_logits()
    {
        using var scope = Libtorch.NewScope();
        var f = DeterministicWeights.Load("tiny_model.safetensors");
        var net = ModelFixture.Net();
        var path = Path.Combine(Path.GetTempPath(), $"micar-{Guid.NewGuid():N}.pth");
        try
        {
            PthWriter.WriteStateDict(path, net.Params.Entries().Select(e => new KeyValuePair<string, TensorData>(e.Key, e.Value.ToTensorData())), wrapKey: "model");
            using var store = Checkpoint.ImportPth(net.Description, path);
            using var noGrad = Autograd.NoGrad();
            var logits = new CaptionNet(net.Description, store).Forward(f["image"], f["ids"], f["pad_mask"], ForwardContext.Eval).Logits;
            Assert.True(logits.AllClose(f["logits"], 1e-4, 1e-5));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Mismatched_files_name_missing_unexpected_and_misshaped_keys_and_load_nothing()
    {
        using var scope = Libtorch.NewScope();
        var net = ModelFixture.Net();
        var tensors = net.Params.Entries().ToDictionary(e => e.Key, e => e.Value.ToTensorData());
        tensors.Remove("proj.1.bias");
        tensors["extra.weight"] = TensorData.FromArray(new float[] { 1 });
        tensors["gen_logits.1.weight"] = TensorData.FromArray(new float[12], [3, 4]);
        var e = Assert.Throws<CheckpointMismatchException>(() => Checkpoint.FromTensors(net.Description, tensors, "bad.pth"));
        Assert.Contains("bad.pth", e.Message);
        Assert.Equal(["proj.1.bias"], e.Mismatch.Missing);
        Assert.Equal(["extra.weight"], e.Mismatch.Unexpected);
        Assert.Single(e.Mismatch.WrongShape);
        Assert.Contains("gen_logits.1.weight", e.Mismatch.WrongShape[0]);
    }

    [Fact]
    public void Torchvision_backbone_weights_load_through_the_key_map()
    {
        using var scope = Libtorch.NewScope();
        var net = ModelFixture.Net();
        var path = Path.Combine(Path.GetTempPath(), $"micar-r18-{Guid.NewGuid():N}.safetensors");
        try
        {
            // A torchvision-named ResNet-18 state dict (with fc) where every value is 0.5.
            var tv = net.Params.Keys.Where(k => k.StartsWith("vis_enc.layer"))
                .Select(k => (Key: Micar.Layers.Msve.OfficialToTorchvision(k["vis_enc.".Length..])!, Shape: net.Params[k].Shape))
                .Select(t => (t.Key, Value: t.Key.EndsWith("num_batches_tracked") ? Libtorch.Zeros(t.Shape, DType.Int64) : Libtorch.Full(t.Shape, 0.5)))
                .Append(("fc.weight", Libtorch.Zeros([1000, 512])));
            TensorDataConversions.SaveSafetensors(path, tv);
            int n = Checkpoint.LoadTorchvisionBackbone(net.Params, path);
            Assert.Equal(net.Params.Keys.Count(k => k.StartsWith("vis_enc.layer")), n);
            Assert.Equal(0.5f, net.Params["vis_enc.layer4.0.1.conv2.weight"].Max().Item<float>());
            Assert.Equal(0.5f, net.Params["vis_enc.layer1.0.weight"].Min().Item<float>());
        }
        finally { File.Delete(path); }
    }
}

using Micar.Cli;
using Micar.Data;
using Micar.Model;
using Micar.Tests.Model;
using Micar.Torch;
using Micar.Torch.Serialization;
using Xunit;

namespace Micar.Tests.Cli;


/// <summary>The command line in-process: exit codes, one-line errors naming the culprit, outputs.</summary>
[CollectionDefinition("console", DisableParallelization = true)]
public class ConsoleCollection { }

[Collection("console")]
public class CliTests
{
    static (int Code, string Out, string Err) Run(params string[] args) => CliHarness.Run(args);

    [Fact]
    public void Describe_prints_the_official_parameter_count()
    {
        var (code, output, _) = Run("describe", "--spec", "official-covctr");
        Assert.Equal(0, code);
        Assert.Contains("156,003,592", output.Replace("156003592", "156,003,592"));
    }

    [Fact]
    public void Bad_inputs_give_one_line_errors_and_non_zero_exit_codes()
    {
        var (c1, _, e1) = Run("describe", "--spec", "no-such-preset");
        Assert.Equal(2, c1);
        Assert.Contains("no-such-preset", e1);
        Assert.Single(e1.Trim().Split('\n'));
        var (c2, _, e2) = Run("metrics", "--pairs", "/nonexistent/pairs.tsv");
        Assert.Equal(2, c2);
        Assert.Contains("/nonexistent/pairs.tsv", e2);
        var (c3, _, e3) = Run("caption", "--run", "/nonexistent/run", "x.png");
        Assert.NotEqual(0, c3);
        Assert.Contains("/nonexistent/run", e3);
        var (c4, _, e4) = Run("train", "--spec", "tiny", "--data", "/nonexistent/data", "--out", "/tmp/x");
        Assert.Equal(2, c4);
        Assert.Contains("/nonexistent/data", e4);
        var (c5, _, _) = Run("train", "--spec");
        Assert.NotEqual(0, c5);
    }

    [Fact]
    public void Train_rejects_an_unknown_fusion_conv_algorithm_by_name()
    {
        var (code, _, err) = Run("train", "--spec", "tiny", "--data", ".", "--out", Path.GetTempPath(), "--fusion-conv", "fft");
        Assert.NotEqual(0, code);
        Assert.Contains("fft", err);
        Assert.Contains("winograd4", err);
    }

    [Fact]
    public void Metrics_scores_a_pairs_file()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "the lungs are clear .\tthe lungs are clear .\nsmall nodule in the right lung\tsmall nodule in the left lung\n");
            var (code, output, err) = Run("metrics", "--pairs", path);
            Assert.True(code == 0, err);
            Assert.Contains("\"bleu4\"", output);
            Assert.Contains("\"ciderD\"", output);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Forward_writes_logits_for_a_checkpoint_and_reports_missing_input_tensors()
    {
        using var scope = Libtorch.NewScope();
        var f = DeterministicWeights.Load("tiny_model.safetensors");
        var spec = ModelFixture.Spec();
        var net = ModelFixture.Net(spec);
        var dir = Path.Combine(Path.GetTempPath(), "micar-fwd-" + Guid.NewGuid().ToString("N"));
        try
        {
            Checkpoint.Save(Path.Combine(dir, "ckpt"), spec, net.Params, Vocabulary.FromRegularTokens(Enumerable.Range(0, 46).Select(i => $"t{i:D2}")));
            var inputs = Path.Combine(dir, "in.safetensors");
            TensorDataConversions.SaveSafetensors(inputs, [("image", f["image"]), ("tokens", f["ids"]), ("pad_mask", f["pad_mask"])]);
            var output = Path.Combine(dir, "out.safetensors");
            var (code, _, err) = Run("forward", "--checkpoint", Path.Combine(dir, "ckpt"), "--inputs", inputs, "--out", output, "--trace");
            Assert.True(code == 0, err);
            var result = SafetensorsFile.Load(output);
            Assert.True(result["logits"].ToTensor().AllClose(f["logits"], 1e-4, 1e-5));
            Assert.Contains(result.Keys, k => k.StartsWith("trace.decoder.layers.0.self_attention.attention"));
            TensorDataConversions.SaveSafetensors(inputs, [("image", f["image"])]);
            var (code2, _, err2) = Run("forward", "--checkpoint", Path.Combine(dir, "ckpt"), "--inputs", inputs, "--out", output);
            Assert.Equal(2, code2);
            Assert.Contains("tokens", err2);
        }
        finally { Directory.Delete(dir, true); }
    }
}

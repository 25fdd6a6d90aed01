using Micar.Cli;
using Micar.Data;
using Micar.Model;
using Micar.Tests.Loading;
using Micar.Tests.Model;
using Xunit;
using Micar.Torch;

namespace Micar.Tests.Cli;


/// <summary>Options out of range are refused before any work (exit code 2, naming the option); caption streams its
/// inputs in batches and keeps going past a bad image.</summary>
[Collection("console")]
public sealed class CliInputTests : IDisposable
{
    readonly string dir = Path.Combine(Path.GetTempPath(), "micar-cli-input-" + Guid.NewGuid().ToString("N"));

    public CliInputTests() => Directory.CreateDirectory(dir);

    public void Dispose() => Directory.Delete(dir, true);

    static (int Code, string Out, string Err) Run(params string[] args) => CliHarness.Run(args);

    [Theory]
    [InlineData("--threads", "100000")]
    [InlineData("--threads", "0")]
    public void Threads_out_of_range_are_refused_before_any_thread_starts(string option, string value)
    {
        int before = Libtorch.Threads;
        var (code, _, err) = Run("caption", "--run", "/nonexistent/run", option, value, "x.png");
        Assert.Equal(2, code);
        Assert.Contains("--threads", err);
        Assert.Contains(value, err);
        Assert.DoesNotContain("/nonexistent/run", err); // refused at parse time, before the run is looked at
        Assert.Equal(before, Libtorch.Threads);
    }

    [Theory]
    [InlineData("describe", "--spec", "tiny", "--batch", "0")]
    [InlineData("describe", "--spec", "tiny", "--depth", "-1")]
    [InlineData("synth", "--out", "/nonexistent/synth", "--n", "0")]
    [InlineData("caption", "--run", "/nonexistent/run", "--length-penalty", "NaN", "x.png")]
    [InlineData("caption", "--run", "/nonexistent/run", "--beam", "0", "x.png")]
    [InlineData("caption", "--run", "/nonexistent/run", "--batch", "0", "x.png")]
    [InlineData("explain", "--run", "/nonexistent/run", "--beam", "0", "x.png")]
    [InlineData("train", "--spec", "tiny", "--data", "/nonexistent/data", "--out", "/nonexistent/run", "--epochs", "0")]
    [InlineData("train", "--spec", "tiny", "--data", "/nonexistent/data", "--out", "/nonexistent/run", "--grad-clip", "0")]
    [InlineData("train", "--spec", "tiny", "--data", "/nonexistent/data", "--out", "/nonexistent/run", "--grad-clip", "NaN")]
    [InlineData("train", "--spec", "tiny", "--data", "/nonexistent/data", "--out", "/nonexistent/run", "--max-train-rows", "0")]
    [InlineData("train", "--spec", "tiny", "--data", "/nonexistent/data", "--out", "/nonexistent/run", "--patience", "-1")]
    [InlineData("train", "--spec", "tiny", "--data", "/nonexistent/data", "--out", "/nonexistent/run", "--val-beam", "0")]
    [InlineData("train", "--spec", "tiny", "--data", "/nonexistent/data", "--out", "/nonexistent/run", "--batch-size", "0")]
    [InlineData("eval", "--run", "/nonexistent/run", "--beam", "0")]
    [InlineData("eval", "--run", "/nonexistent/run", "--split", "validation")]
    public void Out_of_range_options_exit_2_naming_the_option(params string[] args)
    {
        var (code, _, err) = Run(args);
        Assert.Equal(2, code);
        var option = args.Reverse().First(a => a.StartsWith("--", StringComparison.Ordinal) && a != "--run" && a != "--spec" && a != "--out");
        Assert.Contains(option, err);
        Assert.DoesNotContain("/nonexistent", err);
    }

    [Fact]
    public void Train_refuses_cache_features_without_a_frozen_encoder_and_an_oversized_spec_before_any_work()
    {
        var data = Directory.CreateDirectory(Path.Combine(dir, "data")).FullName;
        var run = Path.Combine(dir, "run");
        var (code, _, err) = Run("train", "--spec", "tiny", "--data", data, "--out", run, "--cache-features");
        Assert.Equal(2, code);
        Assert.Contains("--cache-features", err);
        Assert.Contains("--freeze-vision", err);
        Assert.False(Path.Exists(run));
        // An oversized spec (tens of billions of parameters) is refused from its description, naming --force.
        var spec = Path.Combine(dir, "huge.json");
        File.WriteAllText(spec, Micar.Spec.SpecSerializer.ToJson(Micar.Tests.Training.TrainingMemoryTests.Oversized()));
        File.Copy(Png("foo.png", 80), Path.Combine(data, "foo.png"));
        File.WriteAllText(Path.Combine(data, "train.csv"), "image_id,findings\nfoo.png,the lungs are clear .\n");
        File.WriteAllText(Path.Combine(data, "val.csv"), "image_id,findings\nfoo.png,the lungs are clear .\n");
        var (code2, _, err2) = Run("train", "--spec", spec, "--data", data, "--out", run);
        Assert.True(code2 == 2, err2);
        Assert.Contains("needs at least", err2);
        Assert.Contains("--force", err2);
        Assert.False(Path.Exists(run));
    }

    [Fact]
    public void Unknown_options_are_usage_errors_with_exit_code_2()
    {
        var (code, _, err) = Run("describe", "--spec", "tiny", "--no-such-option");
        Assert.Equal(2, code);
        Assert.Contains("--no-such-option", err);
        Assert.Contains("micar describe --help", err);
    }

    [Fact]
    public void Messages_carry_no_dotnet_parameter_text()
    {
        Assert.Equal("n must be positive", CliRunner.Message(new ArgumentOutOfRangeException("n", "n must be positive")));
        Assert.True(CliRunner.IsInputError(new Micar.Training.TrainOptionsException(["x"])));
        Assert.False(CliRunner.IsInputError(new InvalidOperationException("bug")));
    }

    string Checkpoint46()
    {
        using var scope = Libtorch.NewScope();
        var spec = ModelFixture.Spec();
        var net = ModelFixture.Net(spec);
        var ckpt = Path.Combine(dir, "ckpt");
        Checkpoint.Save(ckpt, spec, net.Params, Vocabulary.FromRegularTokens(Enumerable.Range(0, 46).Select(i => $"t{i:D2}")));
        return ckpt;
    }

    string Png(string name, byte shade)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllBytes(path, TestPng.Encode(Enumerable.Repeat(shade, 40 * 30 * 3).ToArray(), 40, 30));
        return path;
    }

    [Fact]
    public void Caption_refuses_a_beam_wider_than_the_vocabulary()
    {
        var ckpt = Checkpoint46();
        var (code, _, err) = Run("caption", "--run", ckpt, "--beam", "5000", Png("a.png", 90));
        Assert.Equal(2, code);
        Assert.Contains("--beam 5000", err);
        Assert.Contains("vocabulary", err);
    }

    [Fact]
    public void Caption_reports_bad_images_and_still_captions_the_rest()
    {
        var ckpt = Checkpoint46();
        var good1 = Png("good1.png", 40);
        var good2 = Png("good2.png", 200);
        var corrupt = Path.Combine(dir, "corrupt.png");
        File.WriteAllBytes(corrupt, File.ReadAllBytes(good1)[..60]);
        var folder = Directory.CreateDirectory(Path.Combine(dir, "folder.png")).FullName;
        var (code, output, err) = Run("caption", "--run", ckpt, "--greedy", "--batch", "2", good1, corrupt, folder, good2, Path.Combine(dir, "missing.png"));
        Assert.Equal(2, code);
        var lines = output.TrimEnd('\n').Split('\n');
        Assert.Equal([good1, good2], lines.Select(l => l.Split('\t')[0]));
        Assert.Contains("corrupt.png", err);
        Assert.Contains("folder.png' is a directory", err);
        Assert.Contains("missing.png' does not exist", err);
        Assert.Contains("3 of 5 images could not be read", err);
    }

    [Fact]
    public void Caption_writes_each_batch_before_reading_the_next()
    {
        var loaded = Micar.Model.Checkpoint.Load(Checkpoint46());
        var first = Png("first.png", 30);
        var second = Path.Combine(dir, "second.png");
        File.WriteAllBytes(second, [1, 2, 3, 4]);
        var log = new StringWriter();
        int failed = new Captioner(loaded, new Micar.Decoding.DecodeOptions { BeamWidth = 1 }).Run([first, second], 1, log, log);
        Assert.Equal(1, failed);
        var lines = log.ToString().TrimEnd('\n').Split('\n');
        Assert.StartsWith(first + "\t", lines[0]);      // the first batch's report came out before the second image was read
        Assert.Contains("second.png", lines[1]);
    }

    [Fact]
    public void Caption_output_escapes_tabs_and_newlines_in_file_names()
    {
        Assert.Equal(@"a\tb\nc\rd\\e", Captioner.TsvField("a\tb\nc\rd\\e"));
        var ckpt = Checkpoint46();
        var odd = Png("scan\twith tab\nand newline.png", 120);
        var (code, output, err) = Run("caption", "--run", ckpt, "--greedy", odd);
        Assert.True(code == 0, err);
        var lines = output.TrimEnd('\n').Split('\n');
        Assert.Single(lines);
        Assert.Equal(2, lines[0].Split('\t').Length);
        Assert.EndsWith(@"scan\twith tab\nand newline.png", lines[0].Split('\t')[0]);
    }

    [Fact]
    public void Caption_maps_sixteen_bit_images_as_asked_and_refuses_a_malformed_mapping()
    {
        var ckpt = Checkpoint46();
        var scan = Path.Combine(dir, "ct16.png");
        var samples = Enumerable.Range(0, 32 * 32).Select(i => (ushort)(i * 4)).ToArray();   // 0 … 4092: a 12-bit scan
        File.WriteAllBytes(scan, Micar.Tests.Images.CraftedPng.Grey16(32, samples));
        string Report(params string[] extra)
        {
            var (code, output, err) = Run(["caption", "--run", ckpt, "--greedy", .. extra, scan]);
            Assert.True(code == 0, err);
            return output;
        }
        Assert.Equal(Report(), Report("--sixteen-bit", "clip"));
        Assert.Equal(Report("--sixteen-bit", "0:4095"), Report("--sixteen-bit", "window:0:4095"));
        var (bad, _, badErr) = Run("caption", "--run", ckpt, "--sixteen-bit", "4095:0", scan);
        Assert.Equal(2, bad);
        Assert.Contains("--sixteen-bit", badErr);
        Assert.Contains("4095:0", badErr);
    }
}

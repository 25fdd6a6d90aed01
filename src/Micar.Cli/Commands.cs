using System.CommandLine;
using System.Text.Json;
using Micar.Data;
using Micar.Data.Synthetic;
using Micar.Decoding;
using Micar.Metrics;
using Micar.Model;
using Micar.Spec;
using Micar.Torch.Serialization;
using Micar.Training;
using Micar.Torch;
using Micar.Nn;

namespace Micar.Cli;


/// <summary>The micar subcommands.</summary>
static partial class Commands
{
    public static IEnumerable<Command> All()
    {
        yield return Version();
        yield return Describe();
        yield return Synth();
        yield return Prepare();
        yield return MetricsCommand();
        yield return Train();
        yield return Eval();
        yield return Caption();
        yield return Forward();
        yield return ExplainCommand();
        yield return Demo.Command();
    }

    static readonly Option<int?> ThreadsOption = new Option<int?>("--threads")
        { Description = $"libtorch intra-op threads, 1 to {MaxThreads} (default: all cores)" }.Between(1, MaxThreads);

    static readonly Option<string?> SixteenBitOption = new("--sixteen-bit")
    {
        Description = "16-bit grey images (CT/MR): clip (default, as PIL: values above 255 become 255), minmax (each image's " +
            "range onto 0-255) or LO:HI (a window, e.g. 0:4095, mapped linearly onto 0-255 and clamped)",
    };

    /// <summary>The decoding options that --sixteen-bit asks for; a malformed value is a usage error naming the option.</summary>
    internal static Micar.Data.Images.ImageDecodeOptions DecodeOptions(ParseResult r)
    {
        if (r.GetValue(SixteenBitOption) is not { } text) return Micar.Data.Images.ImageDecodeOptions.Default;
        try { return Micar.Data.Images.ImageDecodeOptions.Default with { SixteenBit = Micar.Data.Images.SixteenBitMapping.Parse(text) }; }
        catch (FormatException e) { throw new UserError($"--sixteen-bit: {e.Message}"); }
        catch (ArgumentException e) { throw new UserError($"--sixteen-bit: {CliRunner.Message(e)}"); }
    }

    /// <summary>Most intra-op threads accepted: four per core (more only slows every operator down).</summary>
    static int MaxThreads => 4 * Environment.ProcessorCount;

    /// <summary>Applies --threads (default: every core; libtorch's own default may be lower inside containers).</summary>
    internal static void SetThreads(ParseResult r) => Libtorch.Threads = r.GetValue(ThreadsOption) ?? Environment.ProcessorCount;

    static T Need<T>(T? value, string what) where T : class => value ?? throw new UserError($"missing {what}");

    static Command Version()
    {
        var cmd = new Command("version", "Print the Micar and libtorch versions, threads and devices");
        cmd.SetAction(_ =>
        {
            Console.WriteLine($"micar      {typeof(Commands).Assembly.GetName().Version}");
            Console.WriteLine($"libtorch   {Libtorch.Version}");
            Console.WriteLine($"threads    {Libtorch.Threads} (of {Environment.ProcessorCount} cores)");
            var cuda = Libtorch.CudaIsAvailable ? $"{Libtorch.CudaDeviceCount} CUDA device(s)" : "none";
            Console.WriteLine($"devices    cpu; cuda: {cuda}");
            return 0;
        });
        return cmd;
    }

    /// <summary>A MedMoE preset or spec file (<c>family: medmoe</c>); a malformed one is a usage error naming the file.</summary>
    static bool TryMedMoe(string specOrPath, out MedMoeSpec spec)
    {
        try { return MedMoePresets.TryResolve(specOrPath, out spec); }
        catch (Exception e) when (e is SpecFormatException or IOException or UnauthorizedAccessException)
        {
            throw new UserError($"--spec '{specOrPath}': {e.Message}");
        }
    }

    static ModelSpec LoadSpec(string specOrPath)
    {
        try { return Presets.Resolve(specOrPath); }
        catch (Exception e) when (e is FileNotFoundException or KeyNotFoundException or ArgumentException)
        {
            throw new UserError($"--spec '{specOrPath}' is neither a preset ({string.Join(", ", Presets.BaseNames.Concat(MedMoePresets.BaseNames))}, …) nor a readable spec file: {e.Message}");
        }
    }

    static Command Describe()
    {
        var spec = new Option<string>("--spec") { Description = "preset name or spec file (.json/.yaml)", Required = true };
        var json = new Option<bool>("--json") { Description = "print JSON instead of a table" };
        var batch = new Option<int>("--batch") { Description = "batch size for shapes and FLOPs", DefaultValueFactory = _ => 1 }.AtLeast(1);
        var depth = new Option<int>("--depth") { Description = "table depth (levels of nesting shown)", DefaultValueFactory = _ => 3 }.AtLeast(0);
        var cmd = new Command("describe", "Every block of a spec with output shape, parameters and FLOPs; totals") { spec, json, batch, depth };
        cmd.SetAction(r =>
        {
            var name = r.GetValue(spec)!;
            var summary = TryMedMoe(name, out var medmoe) ? medmoe.Describe(r.GetValue(batch)) : LoadSpec(name).Describe(r.GetValue(batch));
            Console.WriteLine(r.GetValue(json) ? summary.ToJson() : summary.ToText(r.GetValue(depth)));
            return 0;
        });
        return cmd;
    }

    static Command Synth()
    {
        var outDir = new Option<string>("--out") { Description = "output directory", Required = true };
        var n = new Option<int>("--n") { Description = "number of images", DefaultValueFactory = _ => 2000 }.Between(1, 10_000_000);
        var seed = new Option<int>("--seed") { Description = "seed", DefaultValueFactory = _ => 7 };
        var size = new Option<int>("--size") { Description = "image side in pixels", DefaultValueFactory = _ => 224 }
            .Between(SyntheticGenerator.MinSize, SyntheticGenerator.MaxSize);
        var xrayShare = new Option<double>("--xray-share")
        {
            Description = "share of studies rendered as chest radiographs with their own report vocabulary (modality.csv lists each image's modality); 0 = CT only",
            DefaultValueFactory = _ => 0,
        }.Between(0.0, 1.0);
        var cmd = new Command("synth", "Write the synthetic chest-CT dataset (PNG images, train/val/test CSV splits 8:1:1)") { outDir, n, seed, size, xrayShare };
        cmd.SetAction(r =>
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var summary = SynthDataset.Write(r.GetValue(outDir)!, r.GetValue(n), r.GetValue(seed), r.GetValue(size), xrayShare: r.GetValue(xrayShare));
            Console.WriteLine($"wrote {r.GetValue(n)} images to {r.GetValue(outDir)} in {sw.Elapsed.TotalSeconds:F1} s ({r.GetValue(n) / sw.Elapsed.TotalSeconds:F0} images/s)");
            Console.WriteLine(JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        });
        return cmd;
    }

    static Command Prepare()
    {
        var dataset = new Option<string>("--dataset") { Description = Data.DatasetRegistry.Default.HelpText, Required = true };
        var root = new Option<string>("--root") { Description = "the raw dataset folder", Required = true };
        var outDir = new Option<string>("--out") { Description = "output folder for train/val/test.csv (default: --root)" };
        var skipBad = new Option<bool>("--skip-bad") { Description = "leave out rows with missing images or unusable text, and list them" };
        var cmd = new Command("prepare", "Clean and split a raw dataset exactly as the official preprocessors do") { dataset, root, outDir, skipBad };
        cmd.SetAction(r =>
        {
            var res = Data.Prepare.Run(r.GetValue(dataset)!, r.GetValue(root)!, r.GetValue(outDir) ?? r.GetValue(root)!, r.GetValue(skipBad));
            Console.WriteLine($"{res.Dataset}: train {res.Train}, val {res.Val}, test {res.Test} → {res.OutDir}");
            if (res.Dropped.Count > 0) Console.WriteLine($"dropped by the official cleaning: {res.Dropped.Count}");
            if (res.Skipped.Count > 0)
            {
                Console.WriteLine($"skipped (--skip-bad): {res.Skipped.Count}");
                foreach (var s in res.Skipped.Take(20)) Console.WriteLine($"  {s}");
            }
            return 0;
        });
        return cmd;
    }

    static Command MetricsCommand()
    {
        var pairs = new Option<string>("--pairs") { Description = "TSV file: prediction TAB reference per line", Required = true };
        var cmd = new Command("metrics", "Score prediction/reference pairs: jury BLEU/METEOR/ROUGE-L and coco BLEU/ROUGE-L/CIDEr-D (JSON)") { pairs };
        cmd.SetAction(r =>
        {
            var path = r.GetValue(pairs)!;
            if (!File.Exists(path)) throw new UserError($"--pairs file '{path}' does not exist");
            Console.WriteLine(MetricReport.FromTsv(path).ToJson());
            return 0;
        });
        return cmd;
    }

    internal static Checkpoint.Loaded LoadRun(string run)
    {
        var dir = Directory.Exists(Path.Combine(run, Trainer.BestDir)) ? Path.Combine(run, Trainer.BestDir) : run;
        if (!File.Exists(Path.Combine(dir, Checkpoint.WeightsFile)))
            throw new UserError($"'{run}' is neither a run folder (with best/) nor a checkpoint folder (with {Checkpoint.WeightsFile})");
        return Checkpoint.Load(dir);
    }

    static Command Caption()
    {
        var run = new Option<string>("--run") { Description = "run folder or checkpoint folder", Required = true };
        var images = new Argument<string[]>("images") { Description = "PNG or JPEG files", Arity = ArgumentArity.OneOrMore };
        var beam = new Option<int?>("--beam") { Description = "beam width (default: spec)" }.AtLeast(1);
        var greedy = new Option<bool>("--greedy") { Description = "greedy decoding (beam width 1)" };
        var penalty = new Option<double>("--length-penalty") { Description = "GNMT length penalty α", DefaultValueFactory = _ => 0 }.Finite();
        var batch = new Option<int>("--batch") { Description = "images decoded and captioned together (memory grows with it)", DefaultValueFactory = _ => 16 }
            .Between(1, 4096);
        var cmd = new Command("caption",
            "Generate a report for each image: one line 'IMAGE<TAB>REPORT' per image as soon as its batch is done (TAB, CR, LF " +
            "and backslash in either field written as \\t \\r \\n \\\\); an image that cannot be read is reported on stderr, " +
            "the others still get reports, and the exit code is then 2")
            { run, images, beam, greedy, penalty, batch, SixteenBitOption, ThreadsOption };
        cmd.SetAction(r =>
        {
            SetThreads(r);
            var ckpt = LoadRun(r.GetValue(run)!);
            var width = r.GetValue(greedy) ? 1 : r.GetValue(beam) ?? ckpt.Spec.Training.BeamWidth;
            CheckBeam(width, ckpt, r.GetValue(greedy) ? "--greedy" : "--beam");
            var captioner = new Captioner(ckpt, new DecodeOptions { BeamWidth = width, LengthPenalty = r.GetValue(penalty) }, DecodeOptions(r));
            var paths = r.GetValue(images)!;
            int failed = captioner.Run(paths, r.GetValue(batch), Console.Out, Console.Error);
            if (failed == 0) return 0;
            Console.Error.WriteLine($"micar: {failed} of {paths.Length} images could not be read");
            return 2;
        });
        return cmd;
    }

    /// <summary>A beam wider than the vocabulary cannot be filled; refused naming the option.</summary>
    internal static void CheckBeam(int width, Checkpoint.Loaded ckpt, string option)
    {
        if (width > ckpt.Vocab.Count)
            throw new UserError($"{option} {width} is larger than the vocabulary of the checkpoint ({ckpt.Vocab.Count} tokens)");
    }

    static Command ExplainCommand()
    {
        var run = new Option<string>("--run") { Description = "run folder or checkpoint folder", Required = true };
        var image = new Argument<string>("image") { Description = "PNG or JPEG file" };
        var outDir = new Option<string?>("--out") { Description = "output folder (default: explain-<image name>)" };
        var beam = new Option<int?>("--beam") { Description = "beam width (default: spec)" }.AtLeast(1);
        var perHead = new Option<bool>("--per-head") { Description = "also draw cross-attention per head" };
        var cmd = new Command("explain", "Generate the report for an image and render attention maps, expert routing and MSVE pyramid maps")
            { run, image, outDir, beam, perHead, SixteenBitOption, ThreadsOption };
        cmd.SetAction(r =>
        {
            SetThreads(r);
            var ckpt = LoadRun(r.GetValue(run)!);
            var path = r.GetValue(image)!;
            if (Directory.Exists(path)) throw new UserError($"image '{path}' is a directory, not an image file");
            if (!File.Exists(path)) throw new UserError($"image '{path}' does not exist");
            var width = r.GetValue(beam) ?? ckpt.Spec.Training.BeamWidth;
            CheckBeam(width, ckpt, "--beam");
            var data = Explainer.Explain(ckpt, path, new DecodeOptions { BeamWidth = width }, imageDecode: DecodeOptions(r));
            var dir = r.GetValue(outDir) ?? "explain-" + Path.GetFileNameWithoutExtension(path);
            var files = Micar.Reports.ExplainRenderer.Render(data, dir, new Micar.Reports.ExplainOptions { PerHead = r.GetValue(perHead) });
            Console.WriteLine(data.GeneratedText);
            foreach (var f in files) Console.WriteLine(f);
            return 0;
        });
        return cmd;
    }

    static Command Forward()
    {
        var spec = new Option<string?>("--spec") { Description = "preset or spec file (default: the checkpoint's spec)" };
        var checkpoint = new Option<string>("--checkpoint") { Description = "checkpoint folder, or an official model_snapshot.pth (needs --spec)", Required = true };
        var inputs = new Option<string>("--inputs") { Description = "safetensors with image [b,3,H,W] f32, tokens [b,s] i64, optional pad_mask [b,s]", Required = true };
        var output = new Option<string>("--out") { Description = "output safetensors (logits, balance_loss)", Required = true };
        var trace = new Option<bool>("--trace") { Description = "also write attention maps and routing decisions" };
        var cmd = new Command("forward", "Eval-mode forward pass on preprocessed inputs (to compare a converted checkpoint with PyTorch)")
            { spec, checkpoint, inputs, output, trace, ThreadsOption };
        cmd.SetAction(r =>
        {
            SetThreads(r);
            var ckptPath = r.GetValue(checkpoint)!;
            Micar.Layers.CaptionModel model;
            ParamStore store;
            if (File.Exists(ckptPath))
            {
                var s = LoadSpec(Need(r.GetValue(spec), "--spec (a .pth file carries no spec)"));
                model = s.Compile();
                store = Checkpoint.ImportPth(model, ckptPath);
            }
            else
            {
                var loaded = Checkpoint.Load(ckptPath);
                model = r.GetValue(spec) is { } sp ? LoadSpec(sp).Compile() : loaded.Model;
                store = loaded.Params;
            }
            var inPath = r.GetValue(inputs)!;
            if (!File.Exists(inPath)) throw new UserError($"--inputs file '{inPath}' does not exist");
            var data = SafetensorsFile.Load(inPath);
            foreach (var k in new[] { "image", "tokens" })
                if (!data.ContainsKey(k)) throw new UserError($"{inPath} lacks the tensor '{k}'");
            using var scope = Libtorch.NewScope();
            using var recorder = r.GetValue(trace) ? new TraceRecorder() : null;
            var ctx = ForwardContext.Eval with { Trace = recorder };
            using var noGrad = Micar.Torch.Autograd.NoGrad();
            var res = new CaptionNet(model, store).Forward(data["image"].ToTensor(), data["tokens"].ToTensor(),
                data.TryGetValue("pad_mask", out var pm) ? pm.ToTensor() : null, ctx);
            var outputs = new List<(string, Micar.Torch.Tensor)> { ("logits", res.Logits), ("balance_loss", res.BalanceLoss) };
            if (recorder is not null)
                outputs.AddRange(recorder.Items.Select((it, i) => ($"trace.{it.Path}.{it.Kind}", it.Value)).GroupBy(t => t.Item1).Select(g => g.First()));
            TensorDataConversions.SaveSafetensors(r.GetValue(output)!, outputs);
            Console.WriteLine($"logits [{string.Join(", ", res.Logits.Shape)}], balance_loss {res.BalanceLoss.Item():G6} → {r.GetValue(output)}");
            return 0;
        });
        return cmd;
    }
}

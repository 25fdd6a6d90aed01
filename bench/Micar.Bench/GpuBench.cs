using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Micar.Decoding;
using Micar.Layers;
using Micar.Model;
using Micar.Spec;
using Micar.Torch;
using Micar.Torch.Optim;
using Micar.Torch.Serialization;
using Micar.Nn;

namespace Micar.Bench;


/// <summary>
/// <c>micar-bench gpu</c>: the model suite on CUDA against PyTorch on the same GPU (bench/reference/gpu_bench.py,
/// run with <c>MICAR_BENCH_PYTHON</c>, default python3 on the PATH). Same weights and inputs for both sides; the
/// eval-mode logits are compared before anything is timed. Times the training step (forward + backward + AdamW
/// amsgrad) in float32 and under bfloat16 autocast, for tiny (b 16, 96 px) and the official COVCTR configuration
/// (its batch 16 at 224 px), and beam search width 3 for 79 tokens over the batch. Reports ratios Micar / PyTorch,
/// peak GPU memory of PyTorch's step, and model FLOP utilisation against the measured matrix-product peak.
/// </summary>
static class GpuBench
{
    const int BeamRepeats = 3;
    static int Warmup(Device dev) => dev.Type == DeviceType.Cpu ? 1 : 3;
    static int Repeats(Device dev) => dev.Type == DeviceType.Cpu ? 2 : 10;

    static void Sync(Device dev)
    {
        if (dev.Type == DeviceType.Cuda) Libtorch.CudaSynchronize();
    }

    sealed record Case(string Label, ModelSpec Official, ModelSpec Fast, int Batch);

    public static int Run(string outDir, bool quick)
    {
        // MICAR_GPU_BENCH_DEVICE=cpu runs the whole suite on the CPU (tiny only): a dry run of the harness without a GPU.
        bool dry = Environment.GetEnvironmentVariable("MICAR_GPU_BENCH_DEVICE") == "cpu";
        if (!dry && !Libtorch.CudaIsAvailable)
        {
            Console.Error.WriteLine($"micar-bench gpu: no CUDA device (libtorch {Libtorch.Version}, {Libtorch.CudaDeviceCount} device(s)); build the shim against a CUDA libtorch (MICAR_LIBTORCH_DIR) and set MICAR_NATIVE_LIB");
            return 2;
        }
        var dev = dry ? new Device(DeviceType.Cpu) : new Device(DeviceType.Cuda, 0);
        quick |= dry;
        var root = Path.Combine(Path.GetTempPath(), $"micar-gpu-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(root);
        var table = new List<string[]>();
        var results = new JsonObject { ["libtorch"] = Libtorch.Version, ["quick"] = quick };
        try
        {
            double bf16 = MatmulTflops(dev, DType.BFloat16, dry ? 1024 : 8192), fp32 = MatmulTflops(dev, DType.Float32, dry ? 1024 : 8192);
            var py = PythonReference.Run("bench/reference/gpu_bench.py", "peaks", root);
            results["micar_matmul_tflops"] = new JsonObject { ["bf16"] = bf16, ["fp32"] = fp32 };
            results["pytorch"] = JsonNode.Parse(py.GetRawText());
            Console.WriteLine($"gpu benchmark — libtorch {Libtorch.Version}, {py.GetProperty("device").GetString()}; square matmul bf16 {bf16:F0} TFLOP/s, fp32 {fp32:F1} TFLOP/s (PyTorch {py.GetProperty("bf16_tflops").GetDouble():F0} / {py.GetProperty("fp32_tflops").GetDouble():F1})");
            results["winograd_vs_conv2d_float64"] = WinogradCheck(dev);
            var cases = new JsonArray();
            var tiny = Presets.Get("tiny");
            var list = new List<Case> { new("tiny", tiny with { Name = "tiny-dense", Moe = tiny.Moe with { Dispatch = MoeDispatch.Dense } }, tiny, 16) };
            if (!quick) list.Add(new("covctr", Presets.Get("official-covctr"), Presets.Get("paper-covctr"), 16));
            foreach (var c in list) cases.Add(RunCase(c, Path.Combine(root, c.Label), dev, bf16, fp32, table));
            results["cases"] = cases;
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
        var md = new System.Text.StringBuilder();
        md.AppendLine($"### Micar vs PyTorch on {results["pytorch"]!["device"]} — libtorch {Libtorch.Version} (Micar) / torch {results["pytorch"]!["torch"]} (PyTorch)");
        md.AppendLine();
        md.AppendLine("| measurement | Micar | PyTorch | ratio M/P | notes |");
        md.AppendLine("|---|---:|---:|---:|---|");
        foreach (var row in table) md.AppendLine("| " + string.Join(" | ", row) + " |");
        Console.WriteLine();
        Console.WriteLine(md.ToString());
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "gpu.json"), results.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.WriteAllText(Path.Combine(outDir, "gpu.md"), md.ToString());
        return 0;
    }

    static JsonObject RunCase(Case c, string dir, Device dev, double bf16Peak, double fp32Peak, List<string[]> table)
    {
        Directory.CreateDirectory(dir);
        var spec = c.Official;
        var model = spec.Compile();
        File.WriteAllText(Path.Combine(dir, "config.json"), ModelBench.ReferenceConfig(spec, model).ToJsonString());
        var (image, ids, pad, labels) = ModelBench.Inputs(spec, c.Batch);
        double logitDiff;
        using (var scope = Libtorch.NewScope())
        using (var cpu = ParamInit.Create(model, new Generator(ModelBench.Seed)))
        {
            TensorDataConversions.SaveSafetensors(Path.Combine(dir, "weights.safetensors"), cpu.Entries());
            using var store = ParamInit.Create(model, new Generator(ModelBench.Seed), dev);
            using var noGrad = Autograd.NoGrad();
            var r = new CaptionNet(model, store).Forward(image.To(dev), ids.To(dev), pad.To(dev), ForwardContext.Eval);
            TensorDataConversions.SaveSafetensors(Path.Combine(dir, "inputs.safetensors"),
                [("image", image), ("ids", ids), ("pad_mask", pad), ("labels", labels), ("micar_logits", r.Logits.To(new Device(DeviceType.Cpu)))]);
            var check = PythonReference.Run("bench/reference/gpu_bench.py", "check", dir);
            logitDiff = check.GetProperty("max_abs_diff").GetDouble();
            Console.WriteLine($"[{c.Label}] CUDA logits Micar vs PyTorch: max |Δ| = {logitDiff:E2} (scale {check.GetProperty("max_abs_logit").GetDouble():F2})");
            if (!(logitDiff <= 1e-2)) throw new InvalidOperationException($"[{c.Label}] Micar and PyTorch CUDA logits differ by {logitDiff}");
        }
        double flops = 3.0 * spec.Describe(c.Batch).Totals.Flops;
        var json = new JsonObject { ["label"] = c.Label, ["batch"] = c.Batch, ["logit_diff"] = logitDiff, ["train_flops"] = flops };
        foreach (var precision in new[] { "fp32", "bf16" })
        {
            var py = PythonReference.Run("bench/reference/gpu_bench.py", "train", dir, ModelBench.Str(Warmup(dev)), ModelBench.Str(Repeats(dev)), precision);
            var dense = TrainStep(spec, image, ids, pad, labels, dev, precision == "bf16");
            var fast = TrainStep(c.Fast, image, ids, pad, labels, dev, precision == "bf16");
            double pt = py.GetProperty("step_s").GetDouble(), peak = precision == "bf16" ? bf16Peak : fp32Peak;
            double pyLoss = py.GetProperty("losses")[0].GetDouble();
            Console.WriteLine($"[{c.Label}] {precision}: first-step loss Micar {dense.Losses[0]:F5}, PyTorch {pyLoss:F5}; step {ModelBench.Time(dense.Step)} vs {ModelBench.Time(pt)}");
            string Mfu(double t) => $"{flops / t / 1e12:F1} TFLOP/s = {100 * flops / t / 1e12 / peak:F1} % of {precision} matmul peak";
            table.Add([$"{c.Label} train step b={c.Batch}, {precision}{(precision == "bf16" ? " autocast" : "")}, Micar dense (official)",
                ModelBench.Time(dense.Step), ModelBench.Time(pt), ModelBench.Ratio(dense.Step / pt),
                $"Micar {Mfu(dense.Step)}; PyTorch {Mfu(pt)}; first loss {dense.Losses[0]:F4} / {pyLoss:F4}"]);
            table.Add([$"{c.Label} train step b={c.Batch}, {precision}, Micar sparse ({c.Fast.Name})",
                ModelBench.Time(fast.Step), ModelBench.Time(pt), ModelBench.Ratio(fast.Step / pt), Mfu(fast.Step)]);
            table.Add([$"{c.Label} train step peak GPU memory, {precision}, Micar dense / sparse",
                $"{dense.PeakMiB:F0} / {fast.PeakMiB:F0} MiB", $"{py.GetProperty("peak_gpu_mib").GetDouble():F0} MiB",
                py.GetProperty("peak_gpu_mib").GetDouble() > 0 ? ModelBench.Ratio(dense.PeakMiB / py.GetProperty("peak_gpu_mib").GetDouble()) : "n/a",
                "max allocated by the caching allocator"]);
            json[precision] = new JsonObject
            {
                ["pytorch"] = JsonNode.Parse(py.GetRawText()),
                ["micar_dense_step_s"] = dense.Step, ["micar_sparse_step_s"] = fast.Step,
                ["micar_dense_losses"] = new JsonArray([.. dense.Losses.Select(v => (JsonNode)v)]),
                ["micar_dense_peak_mib"] = dense.PeakMiB, ["micar_sparse_peak_mib"] = fast.PeakMiB,
            };
        }
        json["beam"] = Beam(c, dir, dev, image, table);
        return json;
    }

    /// <summary>Median training step on <paramref name="dev"/> (forward + cross-entropy + α·balance, backward, AdamW
    /// amsgrad), timed with the device synchronised; the step's peak memory from the CUDA caching allocator.</summary>
    static (double Step, List<double> Losses, double PeakMiB) TrainStep(ModelSpec spec, Tensor image, Tensor ids, Tensor pad, Tensor labels, Device dev, bool bf16)
    {
        var model = spec.Compile();
        using var scope = Libtorch.NewScope();
        using var store = ParamInit.Create(model, new Generator(ModelBench.Seed), dev);
        var net = new CaptionNet(model, store);
        var (x, t, m, y) = (image.To(dev), ids.To(dev), pad.To(dev), labels.To(dev));
        var tr = spec.Training;
        using var optimizer = Training.Trainer.OfficialOptimizer(store, tr);
        using var rng = new Generator(ModelBench.Seed + 3, dev);
        var ctx = new ForwardContext { Training = true, Rng = rng };
        var step = new Training.TrainStep(net, optimizer) { Autocast = bf16 ? DType.BFloat16 : null };
        var samples = new List<double>();
        var losses = new List<double>();
        Sync(dev);
        if (dev.Type == DeviceType.Cuda) Libtorch.CudaResetPeakMemory();
        for (int i = 0; i < Warmup(dev) + Repeats(dev); i++)
        {
            using var s = Libtorch.NewScope();
            var sw = Stopwatch.StartNew();
            var loss = step.Run(x, null, t, m, y, ctx).Loss;
            Sync(dev);
            if (i >= Warmup(dev)) samples.Add(sw.Elapsed.TotalSeconds);
            losses.Add(loss.Item());
        }
        return (ModelBench.Median(samples), losses, dev.Type == DeviceType.Cuda ? Libtorch.CudaPeakMemoryBytes() / 1048576.0 : 0);
    }

    /// <summary>Beam search width 3 for 79 tokens over the whole batch (EOS forbidden, every step runs): Micar with
    /// the KV cache vs the official full recomputation.</summary>
    static JsonObject Beam(Case c, string dir, Device dev, Tensor image, List<string[]> table)
    {
        int tokens = c.Official.TextSeqLen - 1;
        var py = PythonReference.Run("bench/reference/gpu_bench.py", "beam", dir, ModelBench.Str(tokens), ModelBench.Str(BeamRepeats));
        var spec = c.Official with { Moe = c.Official.Moe with { Dispatch = MoeDispatch.Sparse } };
        var model = spec.Compile();
        using var scope = Libtorch.NewScope();
        using var store = ParamInit.Create(model, new Generator(ModelBench.Seed), dev);
        var net = new CaptionNet(model, store);
        var x = image.To(dev);
        using var noGrad = Autograd.NoGrad();
        ModelBench.ForcedBeam(net, net.EncodeImage(x, ForwardContext.Eval), 2);
        var samples = new List<double>();
        for (int r = 0; r < BeamRepeats; r++)
        {
            using var s = Libtorch.NewScope();
            Sync(dev);
            var sw = Stopwatch.StartNew();
            ModelBench.ForcedBeam(net, net.EncodeImage(x, ForwardContext.Eval), tokens);
            Sync(dev);
            samples.Add(sw.Elapsed.TotalSeconds);
        }
        double mt = ModelBench.Median(samples), pt = py.GetProperty("total_s").GetDouble();
        table.Add([$"{c.Label} beam 3 × {tokens} tokens, batch of {c.Batch} images, encode + decode",
            ModelBench.Time(mt), ModelBench.Time(pt), ModelBench.Ratio(mt / pt), $"{pt / mt:F1}× faster"]);
        return new JsonObject { ["tokens"] = tokens, ["micar_s"] = mt, ["pytorch"] = JsonNode.Parse(py.GetRawText()) };
    }

    /// <summary>The native Winograd operator on this device: max |Δ| to libtorch's conv2d (values and both
    /// gradients) in float64.</summary>
    static double WinogradCheck(Device dev)
    {
        using var scope = Libtorch.NewScope();
        using var g = new Generator(ModelBench.Seed + 6, dev);
        var x = Libtorch.Randn([2, 24, 13, 11], g, DType.Float64, dev).RequiresGrad_();
        var w = Libtorch.Randn([16, 24, 3, 3], g, DType.Float64, dev).RequiresGrad_();
        var probe = Libtorch.Randn([2, 16, 13, 11], g, DType.Float64, dev);
        double worst = 0;
        foreach (var algorithm in new[] { ConvAlgorithm.Winograd2, ConvAlgorithm.Winograd4 })
        {
            var a = F.Conv2dWinograd(x, w, null, algorithm, chunkBytes: 4096);
            var b = F.Conv2d(x, w, padding: 1);
            var ga = Autograd.Grad([a.Mul(probe).Sum()], [x, w]);
            var gb = Autograd.Grad([b.Mul(probe).Sum()], [x, w]);
            worst = Math.Max(worst, new[] { a.Sub(b), ga[0]!.Sub(gb[0]!), ga[1]!.Sub(gb[1]!) }.Max(d => d.Abs().Max().Item()));
        }
        Console.WriteLine($"micar::conv2d_winograd on {dev.Type}: max |Δ| to conv2d (values and gradients, float64) {worst:E2}");
        if (!(worst < 1e-9)) throw new InvalidOperationException($"Winograd convolution differs from conv2d by {worst} on {dev.Type}");
        return worst;
    }

    static double MatmulTflops(Device dev, DType dtype, int n)
    {
        using var scope = Libtorch.NewScope();
        using var noGrad = Autograd.NoGrad();
        using var g = new Generator(ModelBench.Seed + 5, dev);
        var a = Libtorch.Randn([n, n], g, dtype, dev);
        var b = Libtorch.Randn([n, n], g, dtype, dev);
        for (int i = 0; i < 3; i++) { using var s = Libtorch.NewScope(); a.Matmul(b); }
        Sync(dev);
        const int reps = 10;
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < reps; i++) { using var s = Libtorch.NewScope(); a.Matmul(b); }
        Sync(dev);
        return 2.0 * n * n * n * reps / sw.Elapsed.TotalSeconds / 1e12;
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text;
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
/// Whole-model benchmark side by side with PyTorch (bench/reference/micar_ref.py, the official architecture in
/// eager PyTorch): Micar initialises a model from a preset, writes its weights (official state-dict keys) and the
/// inputs as safetensors, PyTorch loads them and must reproduce Micar's logits (max |Δ| ≤ 1e-3) before anything
/// is timed. Then: the training step (forward + backward + AdamW amsgrad step), the MoE layer alone, beam search
/// width 3, peak resident memory of the training step (each side in its own process) and achieved GFLOP/s
/// against the 1024² matmul rate measured in the same run.
/// </summary>
static class ModelBench
{
    internal const ulong Seed = 20240611;
    internal const int BeamWidth = 3;

    /// <summary>One model size: the flavour comparable with the official code (dense MoE) and Micar's fast flavour.</summary>
    /// <remarks>The training step runs <c>Rounds</c> times per side, each round a fresh process per side with
    /// <c>Warmup</c> untimed and <c>Repeats</c> timed steps; the sides alternate within a round (in a rotating order)
    /// so that a change in the shared machine's load hits all of them.</remarks>
    sealed record Case(string Label, ModelSpec Official, ModelSpec Fast, int Batch, int Rounds, int Warmup, int Repeats, int BeamRepeats);

    static IEnumerable<Case> Cases(bool quick)
    {
        var tiny = Presets.Get("tiny");
        yield return new Case("tiny", tiny with { Name = "tiny-dense", Moe = tiny.Moe with { Dispatch = MoeDispatch.Dense } },
            tiny, Batch: 16, Rounds: 3, Warmup: 1, Repeats: 2, BeamRepeats: 3);
        if (quick) yield break;
        yield return new Case("covctr", Presets.Get("official-covctr"), Presets.Get("paper-covctr"), Batch: 2, Rounds: 2, Warmup: 2, Repeats: 2, BeamRepeats: 2);
    }

    /// <summary>Runs the suite. <paramref name="workDir"/> (option <c>--work DIR</c>) keeps the weights, inputs and
    /// specs there instead of in a temporary folder that is deleted, e.g. to profile a side on its own:
    /// <c>perf record dotnet Micar.Bench.dll model-worker train DIR/tiny DIR/tiny/spec-official.json 2 1 3</c>.
    /// <paramref name="decodeOnly"/> (option <c>--decode</c>) runs only the logits check and the decoding rows (beam
    /// search on one image and on the case's batch, greedy on one image): no training steps, MoE layer or optimizer.</summary>
    public static int Run(int threads, string outDir, bool quick, string? workDir = null, bool decodeOnly = false)
    {
        Libtorch.Threads = threads;
        var root = workDir ?? Path.Combine(Path.GetTempPath(), $"micar-model-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(root);
        var results = new JsonObject
        {
            ["threads"] = threads,
            ["cpus"] = Environment.ProcessorCount,
            ["libtorch"] = Libtorch.Version,
            ["quick"] = quick,
            ["decode_only"] = decodeOnly,
            ["load_before"] = LoadAverage(),
        };
        var table = new List<string[]>();
        try
        {
            double peak = MatmulGflops();
            results["matmul_1024_gflops"] = peak;
            Console.WriteLine($"model benchmark — libtorch {Libtorch.Version}, {threads} thread(s), load {LoadAverage()}; 1024² matmul {peak:F1} GFLOP/s");
            var cases = new JsonArray();
            foreach (var c in Cases(quick))
                cases.Add(RunCase(c, Path.Combine(root, c.Label), threads, peak, table, decodeOnly));
            results["cases"] = cases;
            if (!decodeOnly)
            {
                results["moe"] = RunMoe(Path.Combine(root, "moe"), threads, table, 160, 2, 9);
                // The official training batch (16 reports × 80 tokens): what a training step's MoE layer sees.
                if (!quick) results["moe_training_batch"] = RunMoe(Path.Combine(root, "moe-1280"), threads, table, 1280, 1, 5);
            }
            results["matmul_1024_gflops_end"] = MatmulGflops();
            results["load_after"] = LoadAverage();
        }
        finally
        {
            if (workDir is null && Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
        var md = Markdown(results, table);
        Console.WriteLine();
        Console.WriteLine(md);
        Directory.CreateDirectory(outDir);
        var stem = (quick ? "model-quick" : "model") + (decodeOnly ? "-decode" : "");
        File.WriteAllText(Path.Combine(outDir, stem + ".json"), results.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.WriteAllText(Path.Combine(outDir, stem + ".md"), md);
        return 0;
    }

    // ---- one model size -------------------------------------------------------------------------------------

    static JsonObject RunCase(Case c, string dir, int threads, double peak, List<string[]> table, bool decodeOnly)
    {
        Directory.CreateDirectory(dir);
        var spec = c.Official;
        var model = spec.Compile();
        string officialSpec = Path.Combine(dir, "spec-official.json"), fastSpec = Path.Combine(dir, "spec-fast.json");
        SpecSerializer.Save(spec, officialSpec);
        SpecSerializer.Save(c.Fast, fastSpec);
        File.WriteAllText(Path.Combine(dir, "config.json"), ReferenceConfig(spec, model).ToJsonString());

        // Weights (official keys), inputs, and Micar's eval-mode logits for the equality check.
        double sparseVsDense;
        var sw = Stopwatch.StartNew();
        using (var scope = Libtorch.NewScope())
        using (var store = ParamInit.Create(model, new Generator(Seed)))
        {
            TensorDataConversions.SaveSafetensors(Path.Combine(dir, "weights.safetensors"), store.Entries());
            var (image, ids, pad, labels) = Inputs(spec, c.Batch);
            using var noGrad = Autograd.NoGrad();
            var memory = new CaptionNet(model, store).EncodeImage(image, ForwardContext.Eval);   // Forward = EncodeImage + Decode
            var r = new CaptionNet(model, store).Decode(ids, memory, pad, ForwardContext.Eval);
            TensorDataConversions.SaveSafetensors(Path.Combine(dir, "inputs.safetensors"),
                [("image", image), ("ids", ids), ("pad_mask", pad), ("labels", labels), ("micar_logits", r.Logits), ("micar_lb", r.BalanceLoss.Reshape(1))]);
            // Sparse dispatch with the official sum combine must give the same logits as dense dispatch.
            var sparse = spec with { Moe = spec.Moe with { Dispatch = MoeDispatch.Sparse } };
            var rs = new CaptionNet(sparse.Compile(), store).Decode(ids, memory, pad, ForwardContext.Eval);
            sparseVsDense = rs.Logits.Sub(r.Logits).Abs().Max().Item();
        }
        var check = PythonReference.Run("bench/reference/model_bench.py", "check", dir, Str(threads));
        double diff = check.GetProperty("max_abs_diff").GetDouble();
        Console.WriteLine($"[{c.Label}] logits Micar ({spec.Name}) vs PyTorch micar_ref: max |Δ| = {diff:E2} (balance value {check.GetProperty("lb_abs_diff").GetDouble():E2}); Micar sparse vs dense dispatch {sparseVsDense:E2}  ({sw.Elapsed.TotalSeconds:F0} s)");
        if (!(diff <= 1e-3)) throw new InvalidOperationException($"[{c.Label}] Micar and PyTorch logits differ by {diff} (> 1e-3): timings would not compare the same model");
        if (decodeOnly)
            return new JsonObject
            {
                ["label"] = c.Label, ["official_spec"] = spec.Name, ["batch"] = c.Batch, ["image_size"] = spec.Vision.ImageSize,
                ["max_abs_logit_diff"] = diff, ["sparse_vs_dense_logit_diff"] = sparseVsDense,
                ["decoding"] = RunDecoding(c, dir, threads, table),
            };

        // Training step, each side in its own process (peak RSS is per process).
        double flopsOfficial = 3.0 * spec.Describe(c.Batch).Totals.Flops, flopsFast = 3.0 * c.Fast.Describe(c.Batch).Totals.Flops;
        var load0 = LoadAverage();
        // PyTorch, Micar dense, Micar sparse (fusion conv algorithm chosen automatically), Micar dense with libtorch's conv
        var rounds = new[] { new List<JsonElement>(), new List<JsonElement>(), new List<JsonElement>(), new List<JsonElement>() };
        for (int round = 0; round < c.Rounds; round++)
            for (int k = 0; k < 4; k++)
            {
                int side = (round + k) % 4;
                rounds[side].Add(side switch
                {
                    0 => PythonReference.Run("bench/reference/model_bench.py", "train", dir, Str(threads), Str(c.Warmup), Str(c.Repeats)),
                    1 => Worker("train", dir, officialSpec, Str(threads), Str(c.Warmup), Str(c.Repeats), "auto"),
                    2 => Worker("train", dir, fastSpec, Str(threads), Str(c.Warmup), Str(c.Repeats), "auto"),
                    _ => Worker("train", dir, officialSpec, Str(threads), Str(c.Warmup), Str(c.Repeats), "direct"),
                });
            }
        var (py, dense, fast, direct) = (Merge(rounds[0]), Merge(rounds[1]), Merge(rounds[2]), Merge(rounds[3]));
        var load1 = LoadAverage();
        double tp = (double)py["step_s"]!, td = (double)dense["step_s"]!, tf = (double)fast["step_s"]!, tx = (double)direct["step_s"]!;
        double mp = (double)py["peak_rss_mib"]!, md = (double)dense["peak_rss_mib"]!, mf = (double)fast["peak_rss_mib"]!,
            mx = (double)direct["peak_rss_mib"]!;
        string what = $"{c.Label} train step (b={c.Batch}, {spec.Vision.ImageSize} px)";
        double bp = (double)py["best_step_s"]!, bd = (double)dense["best_step_s"]!, bf = (double)fast["best_step_s"]!, bx = (double)direct["best_step_s"]!;
        string conv = rounds[1][0].GetProperty("fusion_conv").GetString()!;
        table.Add([what + $", Micar {spec.Name} (dense, fusion conv forced Direct)", Time(tx), Time(tp), Ratio(tx / tp), "≤ 0.6",
            $"{flopsOfficial / tx / 1e9:F1} vs {flopsOfficial / tp / 1e9:F1}; best-of ratio {bx / bp:F2}"]);
        table.Add([what + $", Micar {spec.Name} (dense, fusion conv {conv})", Time(td), Time(tp), Ratio(td / tp), "≤ 0.6",
            $"{flopsOfficial / td / 1e9:F1} vs {flopsOfficial / tp / 1e9:F1}; best-of ratio {bd / bp:F2}"]);
        table.Add([what + $", Micar {c.Fast.Name} (sparse, fusion conv {conv})", Time(tf), Time(tp), Ratio(tf / tp), "≤ 0.6",
            $"{flopsFast / tf / 1e9:F1} vs {flopsOfficial / tp / 1e9:F1}; best-of ratio {bf / bp:F2}"]);
        table.Add([$"{c.Label} train step peak RSS, Micar dense, fusion conv forced Direct", $"{mx:F0} MiB", $"{mp:F0} MiB", Ratio(mx / mp), "≤ 1", ""]);
        table.Add([$"{c.Label} train step peak RSS, Micar dense, fusion conv {conv}", $"{md:F0} MiB", $"{mp:F0} MiB", Ratio(md / mp), "≤ 1", ""]);
        table.Add([$"{c.Label} train step peak RSS, Micar sparse, fusion conv {conv}", $"{mf:F0} MiB", $"{mp:F0} MiB", Ratio(mf / mp), "≤ 1", ""]);

        // The optimizer step alone: multi-tensor (foreach) vs per-parameter AdamW, same values required.
        var optim = RunOptimizer(c, (double)py["phases_s"]!["optimizer"]!, table);

        // Beam search width 3 (one image, the batch) and greedy (one image), every step run (EOS forbidden / never matched).
        var beam = RunDecoding(c, dir, threads, table);

        // Per-operation cost: the text decoder at batch 1 with 8 tokens (tiny only: it is the same code at any size).
        var overhead = c.Label == "tiny" ? RunOverhead(c, dir, threads, table) : null;

        return new JsonObject
        {
            ["label"] = c.Label,
            ["official_spec"] = spec.Name,
            ["fast_spec"] = c.Fast.Name,
            ["batch"] = c.Batch,
            ["image_size"] = spec.Vision.ImageSize,
            ["max_abs_logit_diff"] = diff,
            ["sparse_vs_dense_logit_diff"] = sparseVsDense,
            ["train_flops_official"] = flopsOfficial,
            ["train_flops_fast"] = flopsFast,
            ["matmul_peak_gflops"] = peak,
            ["load_train_before"] = load0,
            ["load_train_after"] = load1,
            ["rounds"] = c.Rounds,
            ["pytorch_train"] = py,
            ["micar_train_dense"] = dense,
            ["micar_train_fast"] = fast,
            ["micar_train_dense_direct_conv"] = direct,
            ["optimizer"] = optim,
            ["decoding"] = beam,
            ["overhead"] = overhead,
        };
    }

    // ---- per-operation cost -------------------------------------------------------------------------------

    /// <summary>Forward + backward of the text decoder alone in training mode, one row of 8 tokens against fixed
    /// image memory: almost no arithmetic, so the time is mostly what each operation costs besides its kernel
    /// (binding, dispatch, autograd, allocation). PyTorch also reports how many operators the step runs.</summary>
    static JsonObject RunOverhead(Case c, string dir, int threads, List<string[]> table)
    {
        const int warmup = 3, repeats = 11, tokens = 8;
        var py = PythonReference.Run("bench/reference/model_bench.py", "overhead", dir, Str(threads), Str(warmup), Str(repeats));
        var model = c.Official.Compile();
        using var scope = Libtorch.NewScope();
        using var store = ParamInit.Create(model, new Generator(Seed));
        var net = new CaptionNet(model, store);
        var inputs = SafetensorsFile.Load(Path.Combine(dir, "inputs.safetensors"));
        Tensor memory;
        using (Autograd.NoGrad()) memory = net.EncodeImage(inputs["image"].ToTensor().Narrow(0, 0, 1), ForwardContext.Eval);
        var ids = inputs["ids"].ToTensor().Narrow(0, 0, 1).Narrow(1, 0, tokens);
        var pad = inputs["pad_mask"].ToTensor().Narrow(0, 0, 1).Narrow(1, 0, tokens);
        var labels = inputs["labels"].ToTensor().Narrow(0, 0, 1).Narrow(1, 0, tokens);
        using var rng = new Generator(Seed + 6);
        var ctx = ForwardContext.Train(rng);
        var trainable = store.Trainable().Select(p => p.Value).ToList();
        double t = MedianTime(() =>
        {
            using var s = Libtorch.NewScope();
            foreach (var p in trainable) p.Grad = null;
            var r = net.Decode(ids, memory, pad, ctx);
            Training.CaptionLoss.Of(model, r, labels).Loss.Backward();
        }, warmup, repeats);
        double pt = py.GetProperty("step_s").GetDouble();
        int ops = py.GetProperty("top_level_ops").GetInt32();
        table.Add([$"{c.Label} text decoder fwd+bwd, batch 1 × {tokens} tokens (per-op cost)", Time(t), Time(pt), Ratio(t / pt), "≤ 1",
            $"PyTorch runs {ops} operators: {pt / ops * 1e6:F1} µs each; Micar {t / ops * 1e6:F1} µs at the same count"]);
        return new JsonObject { ["micar_s"] = t, ["pytorch_s"] = pt, ["pytorch_ops"] = ops };
    }

    // ---- the optimizer step alone ---------------------------------------------------------------------------

    /// <summary>AdamW (amsgrad, vision/rest groups, the spec's weight decay) over the model's parameters with fixed
    /// random gradients, per-parameter and multi-tensor (<c>_foreach_*</c>); both must leave bit-identical parameters (compared through
    /// per-tensor float64 sums and sums of squares, which any one-ulp difference changes).</summary>
    static JsonObject RunOptimizer(Case c, double pytorchStep, List<string[]> table)
    {
        const int steps = 4;
        var model = c.Official.Compile();
        var tr = c.Official.Training;
        var fingerprints = new List<double[]>();
        var times = new Dictionary<bool, double>();
        int tensors = 0;
        foreach (var foreach_ in new[] { false, true })
        {
            using var scope = Libtorch.NewScope();
            using var store = ParamInit.Create(model, new Generator(Seed));
            using var g = new Generator(Seed + 5);
            var trainable = store.Trainable().ToList();
            tensors = trainable.Count;
            foreach (var (_, p) in trainable) p.Grad = Libtorch.Randn(p.Shape, g).Mul(1e-3).DetachFromScope();
            var vision = trainable.Where(p => p.Key.StartsWith("vis_enc.", StringComparison.Ordinal)).Select(p => p.Value).ToList();
            var rest = trainable.Where(p => !p.Key.StartsWith("vis_enc.", StringComparison.Ordinal)).Select(p => p.Value).ToList();
            var groups = new List<ParamGroup> { new(vision, tr.VisionLr, name: "vision"), new(rest, tr.Lr, name: "rest") };
            using var opt = new AdamW(groups, weightDecay: tr.WeightDecay, amsgrad: true, multiTensor: foreach_);
            var samples = new List<double>();
            for (int i = 0; i < steps; i++)
            {
                var sw = Stopwatch.StartNew();
                opt.Step();
                if (i > 0) samples.Add(sw.Elapsed.TotalSeconds);                         // step 1 allocates the state
            }
            times[foreach_] = Median(samples);
            using var noGrad = Autograd.NoGrad();
            fingerprints.Add([.. trainable.SelectMany(p =>
            {
                using var s = Libtorch.NewScope();
                var d = p.Value.To(DType.Float64);
                return new[] { d.Sum().Item(), d.Mul(d).Sum().Item() };
            })]);
        }
        int differing = Enumerable.Range(0, fingerprints[0].Length).Count(i => fingerprints[0][i] != fingerprints[1][i]);
        if (differing > 0) throw new InvalidOperationException($"[{c.Label}] AdamW foreach and per-parameter updates differ ({differing} fingerprints)");
        table.Add([$"{c.Label} AdamW amsgrad step alone ({tensors} tensors), Micar per-parameter (CPU default)", Time(times[false]), Time(pytorchStep), Ratio(times[false] / pytorchStep), "≤ 1",
            $"multi-tensor (_foreach_) {Time(times[true])}; PyTorch: optimizer phase of its training step"]);
        return new JsonObject
        {
            ["tensors"] = tensors, ["foreach_s"] = times[true], ["single_s"] = times[false], ["pytorch_phase_s"] = pytorchStep,
            ["identical"] = differing == 0,
        };
    }

    /// <summary>One side's rounds of the training step: the median over every timed step, per-phase medians over the
    /// rounds' medians, the largest peak RSS, and the rounds themselves.</summary>
    static JsonObject Merge(List<JsonElement> rounds)
    {
        var samples = rounds.SelectMany(r => r.GetProperty("samples_s").EnumerateArray().Select(x => x.GetDouble())).ToList();
        var phases = new JsonObject();
        foreach (var name in rounds[0].GetProperty("phases_s").EnumerateObject().Select(p => p.Name))
            phases[name] = Median([.. rounds.Select(r => r.GetProperty("phases_s").GetProperty(name).GetDouble())]);
        return new JsonObject
        {
            ["step_s"] = Median(samples),
            ["best_step_s"] = samples.Min(),
            ["samples_s"] = new JsonArray([.. samples.Select(v => (JsonNode)v)]),
            ["phases_s"] = phases,
            ["peak_rss_mib"] = rounds.Max(r => r.GetProperty("peak_rss_mib").GetDouble()),
            ["rss_before_steps_mib"] = rounds.Max(r => r.GetProperty("rss_before_steps_mib").GetDouble()),
            ["rounds"] = new JsonArray([.. rounds.Select(r => JsonNode.Parse(r.GetRawText()))]),
        };
    }

    /// <summary>Deterministic inputs: a random image batch, token rows of decreasing length (sos … eos, then pads),
    /// the pad mask and next-token labels.</summary>
    internal static (Tensor Image, Tensor Ids, Tensor Pad, Tensor Labels) Inputs(ModelSpec spec, int batch)
    {
        using var g = new Generator(Seed + 1);
        int t = spec.TextSeqLen, s = spec.Vision.ImageSize, vocab = spec.Compile().VocabSize;
        var image = Libtorch.Randn([batch, 3, s, s], g);
        var rng = new Random((int)(Seed % int.MaxValue));
        var ids = new long[batch * t];
        var labels = new long[batch * t];
        var pad = new long[batch * t];
        for (int b = 0; b < batch; b++)
        {
            int len = t - b * (t / 2) / Math.Max(1, batch - 1);                         // t … t/2 tokens incl. sos and eos
            var row = new long[t];
            row[0] = Data.SpecialTokens.SosId;
            for (int i = 1; i < len - 1; i++) row[i] = rng.Next(Data.SpecialTokens.FirstRegularId, vocab);
            row[len - 1] = Data.SpecialTokens.EosId;
            for (int i = 0; i < t; i++)
            {
                ids[b * t + i] = row[i];
                pad[b * t + i] = row[i] != Data.SpecialTokens.PadId ? 1 : 0;
                labels[b * t + i] = i + 1 < t ? row[i + 1] : Data.SpecialTokens.PadId;
            }
        }
        return (image, Tensor.From<long>(ids, batch, t), Tensor.From<long>(pad, batch, t), Tensor.From<long>(labels, batch, t));
    }

    /// <summary>The micar_ref config dict and the training hyperparameters of a spec.</summary>
    internal static JsonObject ReferenceConfig(ModelSpec s, CaptionModel model)
    {
        if (s.EncoderLayers != s.DecoderLayers) throw new NotSupportedException("micar_ref uses one layer count for both stacks");
        return new JsonObject
        {
            ["model"] = new JsonObject
            {
                ["depth"] = s.Vision.Depth, ["d_v"] = s.Vision.DV, ["grid"] = s.Vision.Grid,
                ["d_model"] = s.DModel, ["d_latent"] = s.DLatent, ["heads"] = s.Heads, ["qk_nope"] = s.QkNopeDim, ["qk_rope"] = s.QkRopeDim,
                ["d_ff"] = s.DFf, ["act"] = s.Activation.ToString().ToLowerInvariant(), ["dropout"] = s.Dropout, ["attn_dropout"] = s.AttentionDropout,
                ["layers"] = s.EncoderLayers, ["experts"] = s.Moe.Experts, ["k"] = s.Moe.TopK, ["vocab"] = model.VocabSize, ["T"] = s.TextSeqLen,
            },
            ["training"] = new JsonObject
            {
                ["lr"] = s.Training.Lr, ["vision_lr"] = s.Training.VisionLr, ["weight_decay"] = s.Training.WeightDecay,
                ["alpha"] = model.BalanceLossWeight, ["seed"] = (long)Seed,
            },
        };
    }

    // ---- decoding ---------------------------------------------------------------------------------------------

    /// <summary>Decoding side by side with the official algorithm (<c>beam_search_official</c> of micar_ref.py, which
    /// recomputes every prefix at every step): beam 3 on one image and on the case's batch, greedy (the official
    /// algorithm at width 1 is argmax decoding) on one image; every step runs (EOS never ends a report). Each setting runs
    /// <see cref="DecodeRounds"/> rounds, the two sides in turn (PyTorch first in even rounds, Micar first in odd ones) so
    /// that a change in the shared machine's load hits both; medians over every timed repeat of every round.</summary>
    static JsonObject RunDecoding(Case c, string dir, int threads, List<string[]> table)
    {
        // Micar: the official arithmetic with sparse dispatch (same results as dense) and the KV cache.
        var spec = c.Official with { Moe = c.Official.Moe with { Dispatch = MoeDispatch.Sparse } };
        var model = spec.Compile();
        using var scope = Libtorch.NewScope();
        using var store = ParamInit.Create(model, new Generator(Seed));
        var net = new CaptionNet(model, store);
        var inputs = SafetensorsFile.Load(Path.Combine(dir, "inputs.safetensors"));
        var images = inputs["image"].ToTensor();
        var result = new JsonObject { ["beam_one_image"] = RunDecode(c, dir, threads, net, images, 1, BeamWidth, table) };
        // The official code beam-searches a whole evaluation batch at once (its loop stops only when every beam of every
        // image ends): the same with the bench's batch.
        if (c.Batch > 1) result["beam_batch"] = RunDecode(c, dir, threads, net, images, c.Batch, BeamWidth, table);
        result["greedy_one_image"] = RunDecode(c, dir, threads, net, images, 1, 1, table);
        return result;
    }

    /// <summary>Rounds of each decoding setting (each round: one PyTorch process and the Micar repeats).</summary>
    const int DecodeRounds = 2;

    static JsonObject RunDecode(Case c, string dir, int threads, CaptionNet net, Tensor allImages, int images, int width, List<string[]> table)
    {
        int tokens = c.Official.TextSeqLen - 1;
        using var scope = Libtorch.NewScope();
        var image = allImages.Narrow(0, 0, images);
        using var noGrad = Autograd.NoGrad();
        long[] Forced(Tensor memory, int steps) => width == 1 ? ForcedGreedy(net, memory, steps) : ForcedBeam(net, memory, steps);
        using (Libtorch.NewScope()) Forced(net.EncodeImage(image, ForwardContext.Eval), 2);          // warm-up
        var enc = new List<double>();
        var forced = new List<double>();
        var totals = new List<double>();
        var decoder = new List<double>();
        var pyTotal = new List<double>();
        var pyEncode = new List<double>();
        var pyRuns = new JsonArray();
        int decoderTokens = 0;
        bool decoderFinished = false;
        void Python()
        {
            var py = PythonReference.Run("bench/reference/model_bench.py", "beam", dir, Str(threads), Str(tokens), Str(c.BeamRepeats), Str(images), Str(width));
            int steps = py.GetProperty("tokens").GetInt32();
            if (steps != tokens) throw new InvalidOperationException($"PyTorch beam search (width {width}) ran {steps} steps, expected {tokens}");
            pyTotal.AddRange(py.GetProperty("samples_s").EnumerateArray().Select(x => x.GetDouble()));
            pyEncode.AddRange(py.GetProperty("encode_samples_s").EnumerateArray().Select(x => x.GetDouble()));
            pyRuns.Add(JsonNode.Parse(py.GetRawText()));
        }
        void Micar()
        {
            for (int r = 0; r < c.BeamRepeats; r++)
            {
                using var s = Libtorch.NewScope();
                var sw = Stopwatch.StartNew();
                var memory = net.EncodeImage(image, ForwardContext.Eval);
                double e = sw.Elapsed.TotalSeconds;
                Forced(memory, tokens);
                double t = sw.Elapsed.TotalSeconds;
                enc.Add(e);
                forced.Add(t - e);
                totals.Add(t);
                sw.Restart();
                var h = ReportDecoder.Generate(net, image, new DecodeOptions { BeamWidth = width, MaxTokens = tokens });
                decoder.Add(sw.Elapsed.TotalSeconds);
                decoderTokens = h.Sum(x => x.Tokens.Length);
                decoderFinished = h.All(x => x.Finished);
            }
        }
        for (int round = 0; round < DecodeRounds; round++)
            if (round % 2 == 0) { Python(); Micar(); }
            else { Micar(); Python(); }
        if (Environment.GetEnvironmentVariable("MICAR_BENCH_PROFILE") == "beam")   // operator table of one more decode, on stderr
        {
            using var s = Libtorch.NewScope();
            var prof = OpProfiler.Profile(() => Forced(net.EncodeImage(image, ForwardContext.Eval), tokens),
                Environment.GetEnvironmentVariable("MICAR_BENCH_PROFILE_SHAPES") == "1");
            Console.Error.WriteLine($"operators of one encode + forced decode ({c.Label}, width {width}, {images} image(s) × {tokens} tokens):\n" + prof.Format(top: 40));
        }
        double pt = Median(pyTotal), pe = Median(pyEncode), pd = pt - pe;
        double me = Median(enc), mf = Median(forced), mt = Median(totals), rd = Median(decoder);
        string what = (width == 1 ? $"{c.Label} greedy" : $"{c.Label} beam {width}") + (images == 1 ? ", one image" : $", batch of {images} images");
        double target = width == 1 ? 15 : 10;
        double all = (double)tokens * images;
        table.Add([$"{what} × {tokens} tokens, encode + decode", Time(mt), Time(pt), Ratio(mt / pt), $"≤ {1 / target:0.###}",
            $"{pt / mt:F1}× faster (target {target:0}×); best-of {pyTotal.Min() / totals.Min():F1}×; encode {Time(me)} vs {Time(pe)}"]);
        table.Add([$"{what} decode only (tokens/s)", $"{all / mf:F1} tok/s", $"{all / pd:F1} tok/s", Ratio(mf / pd), "",
            $"{pd / mf:F1}× faster; {mf / tokens * 1e3:F1} ms per Micar step"]);
        Console.WriteLine($"[{c.Label}] {what}: Micar {Time(mt)} (encode {Time(me)}), official {Time(pt)} (encode {Time(pe)}): {pt / mt:F1}×");
        return new JsonObject
        {
            ["images"] = images,
            ["width"] = width,
            ["tokens"] = tokens,
            ["pytorch_total_s"] = pt,
            ["pytorch_encode_s"] = pe,
            ["pytorch"] = pyRuns,
            ["micar_encode_s"] = me,
            ["micar_forced_decode_s"] = mf,
            ["micar_total_s"] = mt,
            ["micar_total_samples_s"] = new JsonArray([.. totals.Select(v => (JsonNode)v)]),
            ["pytorch_total_samples_s"] = new JsonArray([.. pyTotal.Select(v => (JsonNode)v)]),
            ["micar_report_decoder_s"] = rd,
            ["micar_report_decoder_tokens"] = decoderTokens,
            ["micar_report_decoder_finished"] = decoderFinished,
            ["speedup_total"] = pt / mt,
            ["speedup_total_best_of"] = pyTotal.Min() / totals.Min(),
            ["speedup_decode"] = pd / mf,
        };
    }

    /// <summary>Greedy decoding with the KV cache for every image of <paramref name="memory"/> [b, N, d], as
    /// <see cref="ReportDecoder"/> runs it, but with the EOS logit set to −∞ so that every step runs. Returns the first
    /// image's tokens.</summary>
    internal static long[] ForcedGreedy(CaptionNet net, Tensor memory, int steps)
    {
        using var scope = Libtorch.NewScope();
        using var cache = net.NewCache();
        long b = memory.Size(0);
        var last = Enumerable.Repeat((long)Data.SpecialTokens.SosId, (int)b).ToArray();
        var first = new long[steps];
        for (int step = 0; step < steps; step++)
        {
            using var s = Libtorch.NewScope();
            var logp = net.Decode(Tensor.From<long>(last).OnDeviceOf(memory).Unsqueeze(1), memory, null, ForwardContext.Eval, cache).Logits.Select(1, 0).LogSoftmax(-1);
            logp.Narrow(1, Data.SpecialTokens.EosId, 1).Fill_(double.NegativeInfinity);
            last = logp.Max(-1).Indices.ToArray<long>();
            first[step] = last[0];
        }
        return first;
    }

    /// <summary>Beam search width 3 with the KV cache for every image of <paramref name="memory"/> [b, N, d], as
    /// <see cref="ReportDecoder"/> runs it (one live beam per image at the start, cache rows reordered each step), but
    /// with the EOS logit set to −∞ so that every step runs. Returns the first image's best tokens.</summary>
    internal static long[] ForcedBeam(CaptionNet net, Tensor memory, int steps)
    {
        using var scope = Libtorch.NewScope();
        using var cache = net.NewCache();
        long b = memory.Size(0);
        int width = 1;                                                        // live beams per image
        var scores = new double[b];
        var last = Enumerable.Repeat((long)Data.SpecialTokens.SosId, (int)b).ToArray();
        var history = new List<long[]>();                                     // token of every row, per step
        var parents = new List<long[]>();                                     // origin row of every row, per step
        for (int step = 0; step < steps; step++)
        {
            using var s = Libtorch.NewScope();
            // After the first step the cache holds the image's keys and values (reordered to the beams then): the memory is not read.
            var logp = net.Decode(Tensor.From<long>(last).OnDeviceOf(memory).Unsqueeze(1), memory, null, ForwardContext.Eval, cache).Logits.Select(1, 0).LogSoftmax(-1);
            long vocab = logp.Size(1);
            logp.Narrow(1, Data.SpecialTokens.EosId, 1).Fill_(double.NegativeInfinity);
            var cand = logp.To(DType.Float64).View(b, width, vocab).Add(Tensor.From<double>(scores, b, width).OnDeviceOf(memory).Unsqueeze(2)).View(b, width * vocab);
            var (values, indices) = cand.TopK(BeamWidth, -1);                 // [b, BeamWidth]
            var iv = indices.ToArray<long>();
            var origins = new long[iv.Length];
            last = new long[iv.Length];
            for (int i = 0; i < iv.Length; i++)
            {
                origins[i] = i / BeamWidth * width + iv[i] / vocab;
                last[i] = iv[i] % vocab;
            }
            cache.Reorder(Tensor.From<long>(origins).OnDeviceOf(memory), crossAttention: step == 0);   // later steps keep each image's rows
            history.Add(last);
            parents.Add(origins);
            scores = values.ToArray<double>();
            width = BeamWidth;
        }
        // Back-track the first image's first beam.
        var best = new long[steps];
        long row = 0;
        for (int step = steps - 1; step >= 0; step--)
        {
            best[step] = history[step][row];
            row = parents[step][row];
        }
        return best;
    }

    // ---- MoE layer alone ------------------------------------------------------------------------------------

    static JsonObject RunMoe(string dir, int threads, List<string[]> table, int tokens, int warmup, int repeats)
    {
        const int d = 512, dff = 2048, experts = 8, k = 2;
        Directory.CreateDirectory(dir);
        using var scope = Libtorch.NewScope();
        using var g = new Generator(Seed + 2);
        var store = new ParamStore();
        var entries = new List<(string, Tensor)>();
        void Add(string key, long[] shape, double bound)
        {
            var t = Libtorch.Empty(shape).Uniform_(-bound, bound, g).DetachFromScope();
            t.RequiresGrad = true;
            store.Set(key, t, trainable: true);
            entries.Add((key, t));
        }
        Add("gate.gate.weight", [experts, d], 1 / Math.Sqrt(d));
        for (int e = 0; e < experts; e++)
        {
            Add($"experts.{e}.w1.weight", [dff, d], 1 / Math.Sqrt(d));
            Add($"experts.{e}.w2.weight", [d, dff], 1 / Math.Sqrt(dff));
            Add($"experts.{e}.w3.weight", [dff, d], 1 / Math.Sqrt(d));
        }
        var x = Libtorch.Randn([1, tokens, d], g);
        var gradOut = Libtorch.Randn([1, tokens, d], g);
        var p = store.View("");
        MoeResult Forward(MoeDispatch dispatch) =>
            new Moe(d, dff, experts, k, Activation.Silu, 0, MoeCombine.Sum, dispatch, 0.01).ApplyWithBalance(p, x, ForwardContext.Eval);
        Tensor dense, sparse;
        using (Autograd.NoGrad())
        {
            dense = Forward(MoeDispatch.Dense).Output;
            sparse = Forward(MoeDispatch.Sparse).Output;
        }
        double sparseDiff = sparse.Sub(dense).Abs().Max().Item();
        TensorDataConversions.SaveSafetensors(Path.Combine(dir, "moe.safetensors"), [.. entries, ("x", x), ("grad_out", gradOut), ("micar_dense", dense)]);
        File.WriteAllText(Path.Combine(dir, "moe.json"), new JsonObject { ["d"] = d, ["d_ff"] = dff, ["experts"] = experts, ["k"] = k, ["act"] = "silu" }.ToJsonString());

        (double Median, double Best) Fwd(MoeDispatch dispatch) => Timed(() =>
        {
            using var s = Libtorch.NewScope();
            using var ng = Autograd.NoGrad();
            Forward(dispatch);
        }, warmup, repeats);
        (double Median, double Best) FwdBwd(MoeDispatch dispatch) => Timed(() =>
        {
            using var s = Libtorch.NewScope();
            foreach (var (_, t) in entries) t.Grad = null;
            var r = Forward(dispatch);
            r.Output.Mul(gradOut).Sum().Add(r.BalanceLoss).Backward();
        }, warmup, repeats);
        // Two rounds, PyTorch then Micar in each, so that a change in the machine's load hits both sides.
        var rounds = new List<(double Median, double Best)[]>();
        JsonElement py = default;
        for (int round = 0; round < 2; round++)
        {
            py = PythonReference.Run("bench/reference/model_bench.py", "moe", dir, Str(threads), Str(warmup), Str(repeats));
            rounds.Add([Fwd(MoeDispatch.Sparse), Fwd(MoeDispatch.Dense), FwdBwd(MoeDispatch.Sparse), FwdBwd(MoeDispatch.Dense),
                (py.GetProperty("forward_s").GetDouble(), py.GetProperty("forward_best_s").GetDouble()),
                (py.GetProperty("forward_backward_s").GetDouble(), py.GetProperty("forward_backward_best_s").GetDouble())]);
        }
        (double Median, double Best) Combine(int i) => (rounds.Average(r => r[i].Median), rounds.Min(r => r[i].Best));
        var (sf, df, sb, db, pf, pb) = (Combine(0), Combine(1), Combine(2), Combine(3), Combine(4), Combine(5));
        store.Dispose();
        string what = $"MoE d {d}, d_ff {dff}, E {experts}, k {k}, {tokens} tokens";
        string Best((double Median, double Best) m, (double Median, double Best) p) => $"best-of ratio {m.Best / p.Best:F2}";
        table.Add([what + ", forward: Micar sparse", Time(sf.Median), Time(pf.Median), Ratio(sf.Median / pf.Median), "",
            $"sparse/dense {sf.Median / df.Median:F2}, best-of {sf.Best / df.Best:F2} (target ≤ 0.35)"]);
        table.Add([what + ", forward: Micar dense", Time(df.Median), Time(pf.Median), Ratio(df.Median / pf.Median), "≤ 1", Best(df, pf)]);
        table.Add([what + ", fwd+bwd: Micar sparse", Time(sb.Median), Time(pb.Median), Ratio(sb.Median / pb.Median), "",
            $"sparse/dense {sb.Median / db.Median:F2}, best-of {sb.Best / db.Best:F2} (target ≤ 0.35)"]);
        table.Add([what + ", fwd+bwd: Micar dense", Time(db.Median), Time(pb.Median), Ratio(db.Median / pb.Median), "≤ 1", Best(db, pb)]);
        Console.WriteLine($"[moe] dense output Micar vs PyTorch max |Δ| = {py.GetProperty("max_abs_diff").GetDouble():E2}; Micar sparse vs dense {sparseDiff:E2}");
        return new JsonObject
        {
            ["d"] = d, ["d_ff"] = dff, ["experts"] = experts, ["k"] = k, ["tokens"] = tokens,
            ["max_abs_diff"] = py.GetProperty("max_abs_diff").GetDouble(), ["sparse_vs_dense_diff"] = sparseDiff,
            ["micar_sparse_forward_s"] = sf.Median, ["micar_dense_forward_s"] = df.Median, ["pytorch_dense_forward_s"] = pf.Median,
            ["micar_sparse_fwd_bwd_s"] = sb.Median, ["micar_dense_fwd_bwd_s"] = db.Median, ["pytorch_dense_fwd_bwd_s"] = pb.Median,
            ["micar_sparse_forward_best_s"] = sf.Best, ["micar_dense_forward_best_s"] = df.Best, ["pytorch_dense_forward_best_s"] = pf.Best,
            ["micar_sparse_fwd_bwd_best_s"] = sb.Best, ["micar_dense_fwd_bwd_best_s"] = db.Best, ["pytorch_dense_fwd_bwd_best_s"] = pb.Best,
            ["sparse_over_dense_forward"] = sf.Median / df.Median, ["sparse_over_dense_fwd_bwd"] = sb.Median / db.Median,
        };
    }

    // ---- the Micar side of the training step, in its own process ---------------------------------------------

    /// <summary>What the automatic choice picks for this model's fusion conv (its input is the FPN sum at stride 4).</summary>
    static ConvAlgorithm FusionConvChoice(CaptionNet net, Tensor image)
    {
        using var scope = Libtorch.NewScope();
        var d = net.Description.Vision;
        return Msve.FusionConvAlgorithm(Libtorch.Empty([image.Size(0), d.Width, image.Size(2) / 4, image.Size(3) / 4]));
    }

    /// <summary>Entry point of <c>micar-bench model-worker train &lt;dir&gt; &lt;spec.json&gt; &lt;threads&gt; &lt;warmup&gt; &lt;repeats&gt;
    /// auto|direct|winograd2|winograd4</c>: prints one JSON object (median step time, phase times, losses, peak RSS).</summary>
    public static int WorkerMain(string[] args)
    {
        if (args.Length != 7 || args[0] != "train" || !ForwardContext.FusionConvNames.Contains(args[6]))
            throw new ArgumentException($"usage: model-worker train <dir> <spec.json> <threads> <warmup> <repeats> {string.Join('|', ForwardContext.FusionConvNames)}");
        string dir = args[1];
        var spec = SpecSerializer.Load(args[2]);
        Libtorch.Threads = int.Parse(args[3], CultureInfo.InvariantCulture);
        int warmup = int.Parse(args[4], CultureInfo.InvariantCulture), repeats = int.Parse(args[5], CultureInfo.InvariantCulture);
        var model = spec.Compile();
        using var store = ParamInit.Create(model, new Generator(Seed));   // the weights the parent saved, without a load copy
        var net = new CaptionNet(model, store);
        var inputs = SafetensorsFile.Load(Path.Combine(dir, "inputs.safetensors"));
        var image = inputs["image"].ToTensor().DetachFromScope();
        var ids = inputs["ids"].ToTensor().DetachFromScope();
        var pad = inputs["pad_mask"].ToTensor().DetachFromScope();
        var labels = inputs["labels"].ToTensor().DetachFromScope();
        inputs = null;
        GC.Collect();
        var tr = spec.Training;
        using var optimizer = Training.Trainer.OfficialOptimizer(store, tr);
        using var rng = new Generator(Seed + 3);
        var ctx = new ForwardContext { Training = true, Rng = rng, FusionConv = ForwardContext.ParseFusionConv(args[6]) };
        double rssBefore = StatusMiB("VmRSS");
        var phases = new Dictionary<string, List<double>>
        {
            ["vision"] = [], ["encoder"] = [], ["decoder"] = [], ["loss"] = [], ["forward"] = [], ["backward"] = [], ["optimizer"] = [], ["total"] = [],
        };
        var losses = new List<double>();
        var fresh = new List<long>();                                   // host-cache requests served with new memory, per step
        double[] liveMiB = [];                                          // large blocks live after forward/backward/step, then the peaks so far
        // MICAR_BENCH_PROFILE=step|decoder|backward: operator table of one more, untimed step (or of one phase) on stderr
        string? profileWhat = Environment.GetEnvironmentVariable("MICAR_BENCH_PROFILE");
        bool profile = profileWhat is "step" or "decoder" or "backward";
        bool profileShapes = Environment.GetEnvironmentVariable("MICAR_BENCH_PROFILE_SHAPES") == "1";
        OpProfiler? profiler = null;
        OpProfile? table = null;
        for (int i = 0; i < warmup + repeats + (profile ? 1 : 0); i++)   // the profiled step is extra and untimed
        {
            bool profiled = i == warmup + repeats;
            void Begin(string phase) { if (profiled && profileWhat == phase) profiler = OpProfiler.Start(profileShapes); }
            void End(string phase) { if (profiled && profileWhat == phase) table = profiler!.Stop(); }
            long freshBefore = Libtorch.HostCacheStats().FreshAllocations;
            Begin("step");
            using var scope = Libtorch.NewScope();
            var sw = Stopwatch.StartNew();
            double tVision = 0, tEncoder = 0, tDecoder = 0, tForward = 0, tBackward = 0, tTotal = 0;
            HostCacheStatistics afterForward = default, afterBackward = default, afterStep = default;
            // The trainer's own step, timed and profiled part by part.
            var step = new Training.TrainStep(net, optimizer)
            {
                PhaseDone = phase =>
                {
                    double t = sw.Elapsed.TotalSeconds;
                    switch (phase)
                    {
                        case Training.TrainPhase.Vision: tVision = t; break;
                        case Training.TrainPhase.Encoder: tEncoder = t; Begin("decoder"); break;
                        case Training.TrainPhase.Decoder: tDecoder = t; End("decoder"); break;
                        case Training.TrainPhase.Loss: break;
                        case Training.TrainPhase.Backward: tBackward = t; End("backward"); afterBackward = Libtorch.HostCacheStats(); break;
                        case Training.TrainPhase.Optimizer: tTotal = t; afterStep = Libtorch.HostCacheStats(); break;
                    }
                },
            };
            step.Run(image, null, ids, pad, labels, ctx, loss =>
            {
                losses.Add(loss);
                tForward = sw.Elapsed.TotalSeconds;
                afterForward = Libtorch.HostCacheStats();
                Begin("backward");
            });
            liveMiB = [afterForward.LiveBytes / 1048576.0, afterBackward.LiveBytes / 1048576.0, afterStep.LiveBytes / 1048576.0,
                afterForward.PeakLiveBytes / 1048576.0, afterBackward.PeakLiveBytes / 1048576.0, afterStep.PeakLiveBytes / 1048576.0];
            fresh.Add(Libtorch.HostCacheStats().FreshAllocations - freshBefore);
            End("step");
            if (profiled)
            {
                Console.Error.WriteLine($"operators of one more step's {profileWhat} ({spec.Name}, fusion conv {args[6]}):\n"
                    + table!.Format(top: int.TryParse(Environment.GetEnvironmentVariable("MICAR_BENCH_PROFILE_TOP"), out var top) ? top : 60));
                break;
            }
            if (i < warmup) continue;
            phases["vision"].Add(tVision);
            phases["encoder"].Add(tEncoder - tVision);
            phases["decoder"].Add(tDecoder - tEncoder);
            phases["loss"].Add(tForward - tDecoder);
            phases["forward"].Add(tForward);
            phases["backward"].Add(tBackward - tForward);
            phases["optimizer"].Add(tTotal - tBackward);
            phases["total"].Add(tTotal);
        }
        var phaseMedians = new JsonObject();
        foreach (var (name, xs) in phases) phaseMedians[name] = Median(xs);
        var result = new JsonObject
        {
            ["spec"] = spec.Name,
            ["step_s"] = Median(phases["total"]),
            ["fusion_conv"] = (ctx.FusionConv ?? FusionConvChoice(net, image)).ToString(),
            ["samples_s"] = new JsonArray([.. phases["total"].Select(v => (JsonNode)v)]),
            ["phases_s"] = phaseMedians,
            ["losses"] = new JsonArray([.. losses.Select(v => (JsonNode)v)]),
            ["rss_before_steps_mib"] = rssBefore,
            ["peak_rss_mib"] = StatusMiB("VmHWM"),
            ["rss_mib"] = StatusMiB("VmRSS"),
            ["peak_working_set_mib"] = Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0,
            ["host_cache_fresh_per_step"] = new JsonArray([.. fresh.Select(v => (JsonNode)v)]),
            ["host_cache_peak_live_mib"] = Libtorch.HostCacheStats().PeakLiveBytes / 1048576.0,
            ["host_cache_live_mib_after_forward_backward_step_then_peaks"] = new JsonArray([.. liveMiB.Select(v => (JsonNode)Math.Round(v))]),
        };
        Console.WriteLine(result.ToJsonString());
        return 0;
    }

    /// <summary>This benchmark program again with <paramref name="args"/>, its output captured (a worker process).</summary>
    internal static ProcessStartInfo SelfStartInfo(IEnumerable<string> args)
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell how this program was started");
        var psi = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") psi.ArgumentList.Add(typeof(ModelBench).Assembly.Location);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return psi;
    }

    /// <summary>Runs this program as <c>model-worker …</c> and parses the JSON it prints last.</summary>
    static JsonElement Worker(params string[] args)
    {
        var psi = SelfStartInfo(["model-worker", .. args]);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {psi.FileName}");
        var stderrTask = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        var stderr = stderrTask.Result;
        if (p.ExitCode != 0) throw new InvalidOperationException($"model-worker {string.Join(' ', args)} failed (exit {p.ExitCode}): {stderr.Trim()}");
        return JsonDocument.Parse(stdout.Trim().Split('\n').Last()).RootElement.Clone();
    }

    // ---- helpers of this suite ------------------------------------------------------------------------------

    static double MatmulGflops()
    {
        using var scope = Libtorch.NewScope();
        using var noGrad = Autograd.NoGrad();
        using var g = new Generator(Seed + 4);
        var a = Libtorch.Randn([1024, 1024], g);
        var b = Libtorch.Randn([1024, 1024], g);
        double t = MedianTime(() => { using var s = Libtorch.NewScope(); a.Matmul(b); }, 2, 7);
        return 2.0 * 1024 * 1024 * 1024 / t / 1e9;
    }

    static double MedianTime(Action fn, int warmup, int repeats) => Timed(fn, warmup, repeats).Median;

    /// <summary>Median and fastest of <paramref name="repeats"/> timed calls after <paramref name="warmup"/> untimed
    /// ones (on a shared machine the fastest is the better estimate of the work itself).</summary>
    static (double Median, double Best) Timed(Action fn, int warmup, int repeats)
    {
        for (int i = 0; i < warmup; i++) fn();
        var samples = new List<double>();
        for (int r = 0; r < repeats; r++)
        {
            var sw = Stopwatch.StartNew();
            fn();
            samples.Add(sw.Elapsed.TotalSeconds);
        }
        return (Median(samples), samples.Min());
    }

    internal static double Median(IReadOnlyList<double> xs)
    {
        var s = xs.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    static double StatusMiB(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
        return 0;
    }

    static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    internal static string Str(int v) => v.ToString(CultureInfo.InvariantCulture);

    internal static string Time(double s) => s < 1e-3 ? $"{s * 1e6:F0} µs" : s < 1 ? $"{s * 1e3:F1} ms" : $"{s:F2} s";

    internal static string Ratio(double r) => $"{r:F2}";

    static string Markdown(JsonObject results, List<string[]> table)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"### Micar vs PyTorch (micar_ref, eager) — libtorch {results["libtorch"]}, {results["threads"]} thread(s), {results["cpus"]} CPU(s)");
        sb.AppendLine();
        if ((bool)results["decode_only"]!) sb.AppendLine("decoding rows only (`--decode`)").AppendLine();
        sb.AppendLine($"load average before {results["load_before"]}, after {results["load_after"]}; 1024² matmul {(double)results["matmul_1024_gflops"]!:F1} GFLOP/s at the start, {(double)results["matmul_1024_gflops_end"]!:F1} at the end");
        sb.AppendLine();
        sb.AppendLine("| measurement | Micar | PyTorch | ratio M/P | target | notes (GFLOP/s Micar vs PyTorch) |");
        sb.AppendLine("|---|---:|---:|---:|---:|---|");
        foreach (var row in table) sb.AppendLine("| " + string.Join(" | ", row) + " |");
        foreach (var c in ((JsonArray)results["cases"]!).Select(n => n!.AsObject()).Where(c => c.ContainsKey("pytorch_train")))
        {
            sb.AppendLine();
            sb.AppendLine($"{c["label"]}: logits max |Δ| Micar vs PyTorch {(double)c["max_abs_logit_diff"]!:E2}; training FLOPs (3 × forward estimate) {(double)c["train_flops_official"]! / 1e9:F1} G dense, {(double)c["train_flops_fast"]! / 1e9:F1} G sparse; load during training {c["load_train_before"]} → {c["load_train_after"]}");
            sb.AppendLine();
            sb.AppendLine("| phase (median s) | PyTorch | Micar dense | Micar sparse |");
            sb.AppendLine("|---|---:|---:|---:|");
            var py = c["pytorch_train"]!["phases_s"]!.AsObject();
            var md = c["micar_train_dense"]!["phases_s"]!.AsObject();
            var mf = c["micar_train_fast"]!["phases_s"]!.AsObject();
            foreach (var (name, _) in md)
                sb.AppendLine($"| {name} | {(py[name] is { } v ? $"{(double)v:F3}" : "")} | {(double)md[name]!:F3} | {(double)mf[name]!:F3} |");
        }
        return sb.ToString();
    }
}

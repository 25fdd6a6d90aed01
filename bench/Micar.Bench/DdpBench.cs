using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Micar.Layers;
using Micar.Model;
using Micar.Nn;
using Micar.Spec;
using Micar.Torch;
using Micar.Torch.Distributed;
using Micar.Training;

namespace Micar.Bench;

/// <summary>
/// Data-parallel scaling on this machine: the same global batch as 1 process × b·N and N processes × b (c10d Gloo over
/// loopback, the machine's threads split among the processes), per step: time, bytes all-reduced and time in
/// collectives, for the gradient reduction after backward, overlapped with it (c10d's Reducer, the default), and
/// overlapped with SyncBatchNorm. <c>./scripts/bench ddp [--threads N] [--quick]</c>.
/// </summary>
static class DdpBench
{
    sealed record Case(string Label, ModelSpec Spec, int GlobalBatch, int Warmup, int Steps);

    static IEnumerable<Case> Cases(bool quick)
    {
        yield return new("tiny, 96 px", Presets.Get("tiny"), 16, 2, quick ? 3 : 6);
        if (!quick)
            yield return new("COVCTR official, 224 px", Presets.Get("official-covctr"), 2, 1, 3);
    }

    public static int Run(int threads, string outDir, bool quick)
    {
        if (!Store.Available) throw new InvalidOperationException("the native shim was built without Gloo (install libgloo-dev and rebuild)");
        var rows = new List<string[]>();
        var results = new JsonArray();
        Console.WriteLine($"data-parallel benchmark — libtorch {Libtorch.Version}, {threads} thread(s) in all, Gloo over loopback");
        foreach (var c in Cases(quick))
        {
            JsonElement? single = null;
            foreach (var (n, mode) in new[] { (1, "single"), (2, "after"), (2, "overlap"), (2, "overlap-syncbn") })
            {
                var r = Launch(c, n, threads, mode);
                double step = r.GetProperty("step_s").GetDouble();
                double comm = r.GetProperty("comm_s").GetDouble();
                long bytes = r.GetProperty("bytes_per_step").GetInt64();
                single ??= r;
                double speedup = single.Value.GetProperty("step_s").GetDouble() / step;
                string how = mode switch
                {
                    "after" => "after backward", "overlap" => "during backward", "overlap-syncbn" => "during backward, SyncBatchNorm", _ => "—",
                };
                rows.Add([c.Label, $"{n} × {c.GlobalBatch / n}", how, $"{Math.Max(1, threads / n)}", $"{step:F3} s", $"{speedup:F2}×",
                    n == 1 ? "—" : $"{bytes / 1048576.0:F1} MiB", mode == "after" ? $"{comm:F3} s ({comm / step:P0})" : "—"]);
                results.Add(new JsonObject { ["case"] = c.Label, ["processes"] = n, ["reduction"] = mode, ["step_s"] = step, ["comm_s"] = comm, ["bytes_per_step"] = bytes });
            }
        }
        var md = "| model | processes × batch | gradient all-reduce | threads each | step | speed-up | all-reduced per step | in collectives per step |\n|---|---|---|---:|---:|---:|---:|---:|\n"
            + string.Concat(rows.Select(r => "| " + string.Join(" | ", r) + " |\n"));
        Console.WriteLine();
        Console.WriteLine(md);
        Directory.CreateDirectory(outDir);
        var stem = quick ? "ddp-quick" : "ddp";
        File.WriteAllText(Path.Combine(outDir, stem + ".md"), md);
        File.WriteAllText(Path.Combine(outDir, stem + ".json"), results.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return 0;
    }

    /// <summary>Starts <paramref name="n"/> workers (ranks) of this program and returns rank 0's measurements.</summary>
    static JsonElement Launch(Case c, int n, int threads, string mode)
    {
        // This process serves the rendezvous on a port the system picks; every worker connects to it.
        using var store = n > 1 ? Store.Tcp("127.0.0.1", 0, n, isServer: true, TimeSpan.FromMinutes(10)) : null;
        int port = store?.Port ?? 0;
        var procs = new List<Process>();
        for (int rank = 0; rank < n; rank++)
        {
            var psi = ModelBench.SelfStartInfo(["ddp-worker", c.Spec.Name, SpecSerializer.ToJson(c.Spec), (c.GlobalBatch / n).ToString(),
                c.Warmup.ToString(), c.Steps.ToString(), Math.Max(1, threads / n).ToString(), mode]);
            psi.Environment["RANK"] = rank.ToString();
            psi.Environment["WORLD_SIZE"] = n.ToString();
            psi.Environment["MASTER_ADDR"] = "127.0.0.1";
            psi.Environment["MASTER_PORT"] = port.ToString();
            procs.Add(Process.Start(psi)!);
        }
        var outputs = procs.Select(p => (Out: p.StandardOutput.ReadToEndAsync(), Err: p.StandardError.ReadToEndAsync())).ToList();
        foreach (var p in procs) p.WaitForExit();
        for (int rank = 0; rank < n; rank++)
            if (procs[rank].ExitCode != 0)
                throw new InvalidOperationException($"ddp-worker rank {rank} of {n} failed (exit {procs[rank].ExitCode}): {outputs[rank].Err.Result.Trim()}");
        return JsonDocument.Parse(outputs[0].Out.Result.Trim().Split('\n').Last()).RootElement.Clone();
    }

    /// <summary>One rank: trains <c>steps</c> timed steps (after warm-up) of the spec on random inputs and prints JSON.</summary>
    public static int WorkerMain(string[] args)
    {
        var spec = SpecSerializer.FromJson(args[2]);                          // args: ddp-worker NAME SPEC-JSON BATCH WARMUP STEPS THREADS MODE
        int batch = int.Parse(args[3]), warmup = int.Parse(args[4]), steps = int.Parse(args[5]);
        Libtorch.Threads = int.Parse(args[6]);
        int rank = int.Parse(Environment.GetEnvironmentVariable("RANK")!), size = int.Parse(Environment.GetEnvironmentVariable("WORLD_SIZE")!);
        var timeout = TimeSpan.FromMinutes(10);
        using var store = size > 1 ? Store.Tcp("127.0.0.1", int.Parse(Environment.GetEnvironmentVariable("MASTER_PORT")!), size, isServer: false, timeout) : null;
        using var group = store is null ? null : ProcessGroup.Gloo(store, rank, size, timeout, "127.0.0.1");
        using var dp = group is null ? null : new DataParallel(group) { Overlap = args[7] != "after", SyncBatchNorm = args[7] == "overlap-syncbn" };
        var model = spec.Compile();
        using var scope = Libtorch.NewScope();
        using var parameters = ParamInit.Create(model, new Generator(7));
        var net = new CaptionNet(model, parameters);
        using var optimizer = Trainer.OfficialOptimizer(parameters, spec.Training);
        dp?.BroadcastState(parameters);
        var step = new TrainStep(net, optimizer) { Parallel = dp };
        var g = new Generator(11 + (ulong)rank);
        int t = model.TextSeqLen, s = spec.Vision.ImageSize;
        var image = Libtorch.Randn([batch, 3, s, s], g);
        var ids = Libtorch.Randint(4, model.VocabSize, [batch, t], g);
        var mask = Libtorch.Ones([batch, t], DType.Int64);
        using var rng = new Generator(13 + (ulong)rank);
        var ctx = ForwardContext.Train(rng);
        var times = new List<double>();
        long bytes0 = 0;
        TimeSpan comm0 = TimeSpan.Zero;
        for (int i = 0; i < warmup + steps; i++)
        {
            if (i == warmup) (bytes0, comm0) = (dp?.BytesReduced ?? 0, dp?.CommunicationTime ?? TimeSpan.Zero);
            using var stepScope = Libtorch.NewScope();
            var sw = Stopwatch.StartNew();
            step.Run(image, null, ids, mask, ids, ctx);
            if (i >= warmup) times.Add(sw.Elapsed.TotalSeconds);
        }
        times.Sort();
        var result = new JsonObject
        {
            ["step_s"] = times[times.Count / 2],
            ["comm_s"] = ((dp?.CommunicationTime ?? TimeSpan.Zero) - comm0).TotalSeconds / steps,
            ["bytes_per_step"] = ((dp?.BytesReduced ?? 0) - bytes0) / steps,
        };
        Console.WriteLine(result.ToJsonString());
        return 0;
    }
}

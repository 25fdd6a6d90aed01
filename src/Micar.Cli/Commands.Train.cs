using System.CommandLine;
using System.Text.Json;
using Micar.Decoding;
using Micar.Model;
using Micar.Training;
using Micar.Nn;
using Micar.Torch;

namespace Micar.Cli;

/// <summary>`micar train`.</summary>
static partial class Commands
{
    static Command Train()
    {
        var spec = new Option<string>("--spec") { Description = "preset name or spec file", Required = true };
        var data = new Option<string>("--data") { Description = "dataset folder (train.csv, val.csv, test.csv)", Required = true };
        var outDir = new Option<string>("--out") { Description = "run folder", Required = true };
        var epochs = new Option<int?>("--epochs") { Description = "override the spec's epochs" }.AtLeast(1);
        var batch = new Option<int?>("--batch-size") { Description = "override the spec's batch size" }.AtLeast(1);
        var seed = new Option<long?>("--seed") { Description = "override the spec's seed" };
        var resume = new Option<bool>("--resume") { Description = "continue from the run's last epoch" };
        var overwrite = new Option<bool>("--overwrite")
        {
            Description = "train into a non-empty run folder: delete its run files (metrics.jsonl, spec.json, vocab/, best/, last/, report.html, explain/, eval/…) " +
                "once its lock is held and the data checked; other files are kept",
        };
        var force = new Option<bool>("--force")
        {
            Description = "train even when the run's estimated memory (parameters, AdamW state, gradients or kept activations) " +
                "exceeds the memory available; without it such a run is refused before anything is allocated",
        };
        var freeze = new Option<bool>("--freeze-vision") { Description = "freeze the vision encoder (ResNet + MSVE)" };
        var cache = new Option<bool>("--cache-features") { Description = "with --freeze-vision: compute image tokens once" };
        var clip = new Option<double?>("--grad-clip") { Description = "clip the global gradient norm" }.FinitePositive();
        var blind = new Option<bool>("--blind") { Description = "zero every image (text-only baseline)" };
        var maxRows = new Option<int?>("--max-train-rows") { Description = "use at most this many training rows" }.AtLeast(1);
        var valBeam = new Option<int?>("--val-beam") { Description = "beam width for validation decoding (default: spec)" }.AtLeast(1);
        var patience = new Option<int?>("--patience") { Description = "override the spec's early-stopping patience" }.AtLeast(0);
        var fusionConv = new Option<string>("--fusion-conv")
        {
            Description = "MSVE fusion conv algorithm: auto (Winograd F(4x4,3x3) on CPU for >= 512 channels), direct, winograd2, winograd4",
            DefaultValueFactory = _ => "auto",
        };
        fusionConv.AcceptOnlyFromAmong([.. ForwardContext.FusionConvNames]);
        var nproc = new Option<int>("--nproc")
        {
            Description = "data-parallel training processes on this machine (c10d Gloo); each trains --batch-size rows per step and --threads are shared among them",
            DefaultValueFactory = _ => 1,
        }.Between(1, 256);
        var nnodes = new Option<int>("--nnodes") { Description = "machines in a multi-node run (start the same command on each)", DefaultValueFactory = _ => 1 }.Between(1, 4096);
        var nodeRank = new Option<int>("--node-rank") { Description = "this machine's index in a multi-node run, 0 … nnodes-1", DefaultValueFactory = _ => 0 }.AtLeast(0);
        var master = new Option<string?>("--master") { Description = "ADDR:PORT of node 0's rendezvous (multi-node; default: a free local port)" };
        var syncBn = new Option<bool>("--sync-batchnorm")
        {
            Description = "data-parallel runs: batch norms that train take their statistics over the global batch (SyncBatchNorm; default: each process's own rows, as DDP)",
        };
        var distTimeout = new Option<int>("--dist-timeout")
        {
            Description = "seconds a process waits for the others in a collective (rank 0's validation included) before failing",
            DefaultValueFactory = _ => 1800,
        }.Between(1, 86400);
        var cmd = new Command("train", "Train a spec on a dataset with the official recipe. A non-empty run folder is refused unless " +
            "--resume or --overwrite; the run holds RUN/.lock (a second training into the folder fails, naming the holder's PID); nothing is " +
            "written before the data is checked, and nothing through a symbolic link inside the folder")
            { spec, data, outDir, epochs, batch, seed, resume, overwrite, freeze, cache, clip, blind, maxRows, valBeam, patience, fusionConv, force,
              nproc, nnodes, nodeRank, master, distTimeout, syncBn, SixteenBitOption, ThreadsOption };
        cmd.SetAction((r, ct) =>
        {
            if (TryMedMoe(r.GetValue(spec)!, out var medmoe))
            {
                // the caption recipe's options have no MedMoE meaning yet: refused rather than ignored
                var captionOnly = new (string Name, bool Given)[]
                {
                    ("--freeze-vision", r.GetValue(freeze)), ("--cache-features", r.GetValue(cache)),
                    ("--grad-clip", r.GetValue(clip) is not null), ("--blind", r.GetValue(blind)), ("--val-beam", r.GetValue(valBeam) is not null),
                    ("--patience", r.GetValue(patience) is not null), ("--nproc", r.GetValue(nproc) > 1), ("--nnodes", r.GetValue(nnodes) > 1),
                    ("--sync-batchnorm", r.GetValue(syncBn)),
                };
                if (captionOnly.FirstOrDefault(o => o.Given).Name is { } unsupported)
                    throw new UserError($"{unsupported} is not supported for MedMoE specs ({r.GetValue(spec)})");
                SetThreads(r);
                return Task.FromResult(TrainMedMoe(medmoe, r.GetValue(data)!, r.GetValue(outDir)!, r.GetValue(epochs), r.GetValue(batch), r.GetValue(seed), r.GetValue(maxRows), r.GetValue(overwrite), r.GetValue(resume), r.GetValue(force)));
            }
            var worker = Launcher.FromEnvironment();
            if (worker is null && (r.GetValue(nproc) > 1 || r.GetValue(nnodes) > 1))
            {
                if (r.GetValue(nodeRank) >= r.GetValue(nnodes)) throw new UserError($"--node-rank {r.GetValue(nodeRank)} must be below --nnodes {r.GetValue(nnodes)}");
                return Task.FromResult(Launcher.Run(CliRunner.Arguments, r.GetValue(nproc), r.GetValue(nnodes), r.GetValue(nodeRank), r.GetValue(master),
                    line => Console.Error.WriteLine(line), TimeSpan.FromSeconds(r.GetValue(distTimeout))));
            }
            SetThreads(r);
            if (worker is not null)   // the cores of this machine are shared among its workers
                Libtorch.Threads = Math.Max(1, (r.GetValue(ThreadsOption) ?? Environment.ProcessorCount) / worker.LocalWorldSize);
            var dataDir = r.GetValue(data)!;
            if (!Directory.Exists(dataDir)) throw new UserError($"--data folder '{dataDir}' does not exist");
            using var membership = worker is null ? null : Launcher.Join(worker, TimeSpan.FromSeconds(r.GetValue(distTimeout)), r.GetValue(syncBn));
            var options = new TrainOptions
            {
                Parallel = membership?.Parallel, LocalProcesses = worker?.LocalWorldSize ?? 1,
                Spec = LoadSpec(r.GetValue(spec)!), DataDir = dataDir, RunDir = r.GetValue(outDir)!,
                Epochs = r.GetValue(epochs), BatchSize = r.GetValue(batch), Seed = r.GetValue(seed), Resume = r.GetValue(resume),
                FreezeVision = r.GetValue(freeze), CacheFeatures = r.GetValue(cache), GradClip = r.GetValue(clip),
                Blind = r.GetValue(blind), MaxTrainRows = r.GetValue(maxRows), ValidationBeam = r.GetValue(valBeam), Patience = r.GetValue(patience),
                FusionConv = ForwardContext.ParseFusionConv(r.GetValue(fusionConv)!), Overwrite = r.GetValue(overwrite),
                Force = r.GetValue(force), ImageDecode = DecodeOptions(r),
            };
            try
            {
                // The report is written while the run's lock is still held.
                Trainer.Run(options, result =>
                {
                    if (worker is { Rank: > 0 }) return;              // rank 0 reports
                    Console.WriteLine($"best score {result.BestScore:F4} at epoch {result.BestEpoch}; checkpoint {Path.Combine(result.RunDir, Trainer.BestDir)}");
                    var best = result.History.FirstOrDefault(h => h.Epoch == result.BestEpoch);
                    var report = RunReportBuilder.Write(result.RunDir,
                        best is null ? [] : [new Micar.Reports.SystemMetrics { System = $"best epoch {best.Epoch} (val)", Values = best.Val }], []);
                    Console.WriteLine($"report: {report}");
                }, ct);
            }
            catch (RunFolderException e) { throw new UserError(e.Message); }
            return Task.FromResult(0);
        });
        return cmd;
    }
}

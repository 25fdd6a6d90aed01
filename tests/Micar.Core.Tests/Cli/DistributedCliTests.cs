using System.Diagnostics;
using Micar.Layers;
using Micar.Spec;
using Micar.Torch;
using Micar.Torch.Serialization;
using Xunit;

namespace Micar.Tests.Cli;

/// <summary>`micar train --nproc 2`: real worker processes on loopback Gloo, started by the launcher.</summary>
public class DistributedCliTests
{
    static readonly string Micar = typeof(global::Micar.Cli.CliApp).Assembly.Location;

    static Process Start(string dir, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir };
        psi.ArgumentList.Add(Micar);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    static (int Code, string Out, string Err) Run(string dir, params string[] args)
    {
        using var p = Start(dir, args);
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(300_000), "micar did not finish in 5 minutes");
        return (p.ExitCode, output, err.Result);
    }

    static string Data(string dir)
    {
        var data = Path.Combine(dir, "data");
        var (code, _, err) = Run(dir, "synth", "--out", data, "--n", "40", "--size", "64");
        Assert.True(code == 0, err);
        return data;
    }

    [Fact]
    public void Two_workers_train_one_run_and_rank_0_writes_it()
    {
        var dir = Directory.CreateTempSubdirectory("micar-ddp-").FullName;
        try
        {
            var data = Data(dir);
            var run = Path.Combine(dir, "run");
            var (code, output, err) = Run(dir, "train", "--spec", "tiny", "--data", data, "--out", run, "--nproc", "2", "--epochs", "1",
                "--batch-size", "4", "--val-beam", "1", "--freeze-vision", "--cache-features", "--threads", "2");
            Assert.True(code == 0, err);
            Assert.Contains("started 2 worker(s) (ranks 0–1 of 2)", err);
            Assert.Contains("(training images shared among 2 processes)", err);
            Assert.Contains("data-parallel: 2 processes, 4 rows each per step (8 in all)", err);
            Assert.Single(File.ReadAllLines(Path.Combine(run, "metrics.jsonl")));
            Assert.True(File.Exists(Path.Combine(run, "best", "model.safetensors")));
            Assert.Contains("best score", output);
            Assert.Single(output.Split('\n'), l => l.StartsWith("best score"));     // one report, from rank 0
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Two_processes_with_batch_4_end_where_one_process_with_batch_8_ends()
    {
        var dir = Directory.CreateTempSubdirectory("micar-ddp-").FullName;
        try
        {
            var data = Data(dir);
            // tiny without dropout and balance term, weighted combine (whose router gradient is not rounding noise):
            // what is left between the runs is the order of float sums (threads, the all-reduce). Cached features: the
            // two processes each encode half of the training images and gather the halves.
            var tiny = Presets.Get("tiny");
            var spec = tiny with
            {
                Vision = tiny.Vision with { ImageSize = 64 }, Dropout = 0, AttentionDropout = 0,
                Moe = tiny.Moe with { BalanceLossWeight = 0, Combine = MoeCombine.Weighted },
            };
            var specPath = Path.Combine(dir, "spec.json");
            File.WriteAllText(specPath, SpecSerializer.ToJson(spec));
            string[] Args(string run, params string[] more) =>
                ["train", "--spec", specPath, "--data", data, "--out", Path.Combine(dir, run), "--epochs", "1", "--val-beam", "1", "--freeze-vision", "--cache-features", .. more];
            var one = Run(dir, Args("one", "--batch-size", "8", "--threads", "2"));
            Assert.True(one.Code == 0, one.Err);
            var two = Run(dir, Args("two", "--batch-size", "4", "--nproc", "2", "--threads", "2"));
            Assert.True(two.Code == 0, two.Err);
            // The yardstick: the same one-process run with 1 thread instead of 2 (other float sum orders only).
            var single = Run(dir, Args("one-thread", "--batch-size", "8", "--threads", "1"));
            Assert.True(single.Code == 0, single.Err);
            double Diff(string x, string y)
            {
                var a = SafetensorsFile.Load(Path.Combine(dir, x, "best", "model.safetensors"));
                var b = SafetensorsFile.Load(Path.Combine(dir, y, "best", "model.safetensors"));
                Assert.Equal(a.Keys, b.Keys);
                double worst = 0;
                foreach (var (key, t) in a)
                {
                    if (t.DType != DType.Float32) continue;
                    var (u, v) = (t.ToFloat32Array(), b[key].ToFloat32Array());
                    for (int i = 0; i < u.Length; i++) worst = Math.Max(worst, Math.Abs(u[i] - v[i]));
                }
                return worst;
            }
            double worst = Diff("one", "two"), threads = Diff("one", "one-thread");
            Console.WriteLine($"one process × 8 vs two processes × 4, 4 steps: max |parameter difference| = {worst:g3} " +
                $"(one process, 2 threads vs 1: {threads:g3})");
            Assert.True(worst <= Math.Max(5e-5, 4 * threads), $"the runs differ by {worst:g3} (2 vs 1 threads: {threads:g3})");
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void A_run_resumes_with_another_number_of_processes()
    {
        var dir = Directory.CreateTempSubdirectory("micar-ddp-").FullName;
        try
        {
            var data = Data(dir);
            var run = Path.Combine(dir, "run");
            string[] Args(int epochs, params string[] more) =>
                ["train", "--spec", "tiny", "--data", data, "--out", run, "--epochs", epochs.ToString(), "--batch-size", "4", "--val-beam", "1",
                 "--freeze-vision", "--threads", "2", .. more];
            var first = Run(dir, Args(1, "--nproc", "2"));                    // epoch 1 on two processes
            Assert.True(first.Code == 0, first.Err);
            var second = Run(dir, Args(2, "--resume"));                       // epoch 2 on one
            Assert.True(second.Code == 0, second.Err);
            Assert.Contains("resuming after epoch 1", second.Err);
            var third = Run(dir, Args(3, "--resume", "--nproc", "2"));       // epoch 3 on two again
            Assert.True(third.Code == 0, third.Err);
            Assert.Contains("resuming after epoch 2", third.Err);
            var epochs = File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("epoch").GetInt32());
            Assert.Equal([1, 2, 3], epochs);
            // Every epoch's steps, once: 32 training rows in global batches of 8 (two processes) or 4 (one).
            var steps = File.ReadAllLines(Path.Combine(run, "steps.jsonl")).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("epoch").GetInt32()).ToList();
            Assert.Equal([4, 8, 4], steps.GroupBy(e => e).OrderBy(g => g.Key).Select(g => g.Count()));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void A_worker_that_dies_ends_the_run_with_an_error_naming_it()
    {
        var dir = Directory.CreateTempSubdirectory("micar-ddp-").FullName;
        try
        {
            var data = Data(dir);
            using var launcher = Start(dir, "train", "--spec", "tiny", "--data", data, "--out", Path.Combine(dir, "run"), "--nproc", "2",
                "--epochs", "500", "--patience", "500", "--batch-size", "4", "--val-beam", "1", "--freeze-vision", "--threads", "2", "--dist-timeout", "60");
            var err = new System.Text.StringBuilder();
            var trained = new ManualResetEventSlim();
            launcher.ErrorDataReceived += (_, e) => { lock (err) err.AppendLine(e.Data); if (e.Data?.StartsWith("epoch 1/") == true) trained.Set(); };
            launcher.BeginErrorReadLine();
            Assert.True(trained.Wait(120_000), "the run did not finish its first epoch: " + err);
            var workers = ChildrenOf(launcher.Id);
            Assert.Equal(2, workers.Count);
            var victim = workers.Max();                                        // started second: rank 1
            Process.GetProcessById(victim).Kill();
            var sw = Stopwatch.StartNew();
            Assert.True(launcher.WaitForExit(60_000), "the launcher did not end after a worker died");
            launcher.WaitForExit();
            Assert.NotEqual(0, launcher.ExitCode);
            string text;
            lock (err) text = err.ToString();
            Assert.Contains($"(pid {victim}) exited with code", text);
            Assert.Contains("stopped the other", text);
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while (workers.Any(Alive) && DateTime.UtcNow < deadline) Thread.Sleep(100);
            Assert.All(workers, w => Assert.False(Alive(w), $"worker {w} still runs"));
            Console.WriteLine($"launcher ended {sw.Elapsed.TotalSeconds:F1} s after a worker was killed");
        }
        finally { Directory.Delete(dir, true); }
    }

    static List<int> ChildrenOf(int parent) =>
        Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(n => int.TryParse(n, out _)).Select(int.Parse!)
            .Where(pid =>
            {
                try
                {
                    var stat = File.ReadAllText($"/proc/{pid}/stat");
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    return int.Parse(fields[1]) == parent;
                }
                catch (IOException) { return false; }
            }).ToList();

    /// <summary>True while the process exists and is not a zombie (exited, waiting to be reaped).</summary>
    static bool Alive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2] != 'Z';
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }
}

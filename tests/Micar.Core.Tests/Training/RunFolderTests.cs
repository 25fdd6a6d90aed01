using System.Diagnostics;
using Micar.Model;
using Micar.Spec;
using Micar.Tests.Model;
using Micar.Training;
using Xunit;

namespace Micar.Tests.Training;

/// <summary>Run folders never lose or mix work: non-empty folders are refused, the data is checked before anything is
/// written, one training per folder (lock), no write through a symbolic link, and a resume after a kill at any point
/// gives every epoch exactly once.</summary>
[Collection("training")]
public class RunFolderTests(SmallDataset data) : IClassFixture<SmallDataset>
{
    internal static ModelSpec Spec() => ModelFixture.Spec() with
    {
        Vocab = new VocabSpec { Dataset = "covctr" },
        TextSeqLen = 24,
        Training = new TrainingSpec { BatchSize = 8, Epochs = 2, Lr = 1e-3, VisionLr = 5e-4, Seed = 11, BeamWidth = 1, Patience = 10 },
    };

    TrainOptions Options(string run) => new()
    {
        Spec = Spec(), DataDir = data.Dir, RunDir = run, MaxTrainRows = 8, MaxValRows = 4, Log = _ => { },
    };

    static string TempDir(string what) => Path.Combine(Path.GetTempPath(), $"micar-{what}-" + Guid.NewGuid().ToString("N"));

    static void Delete(params string[] dirs)
    {
        foreach (var d in dirs)
        {
            if (new FileInfo(d).LinkTarget is not null) File.Delete(d);
            else if (Directory.Exists(d)) Directory.Delete(d, true);
        }
    }

    static int[] Epochs(IEnumerable<EpochRecord> h) => h.Select(r => r.Epoch).ToArray();

    [Fact]
    public void A_non_empty_run_folder_is_refused_unchanged_unless_resume_or_overwrite()
    {
        var run = TempDir("run");
        try
        {
            Trainer.Run(Options(run) with { Epochs = 1 });
            File.WriteAllText(Path.Combine(run, "notes.txt"), "mine");
            var before = RunFolderSnapshot.Take(run);
            var e = Assert.Throws<RunFolderException>(() => Trainer.Run(Options(run) with { Epochs = 1 }));
            Assert.Contains(run, e.Message);
            Assert.Contains("--resume", e.Message);
            Assert.Contains("--overwrite", e.Message);
            Assert.Equal(before, RunFolderSnapshot.Take(run));

            var again = Trainer.Run(Options(run) with { Epochs = 1, Overwrite = true });
            Assert.Equal([1], Epochs(Trainer.ReadHistory(run)));
            Assert.Equal("mine", File.ReadAllText(Path.Combine(run, "notes.txt")));   // only run files are deleted
            Assert.Throws<TrainOptionsException>(() => Trainer.Run(Options(run) with { Resume = true, Overwrite = true }));
        }
        finally { Delete(run); }
    }

    [Fact]
    public void Failed_data_validation_leaves_the_run_folder_exactly_as_it_was()
    {
        var run = TempDir("run");
        var missing = TempDir("no-data");
        try
        {
            Assert.Throws<FileNotFoundException>(() => Trainer.Run(Options(run) with { DataDir = missing }));
            Assert.False(Directory.Exists(run), "a run folder was created for data that failed validation");

            Directory.CreateDirectory(run);
            File.WriteAllText(Path.Combine(run, Trainer.LogFile), "{\"epoch\":1}\n");
            File.WriteAllText(Path.Combine(run, "spec.json"), "old spec");
            var before = RunFolderSnapshot.Take(run);
            Assert.Throws<FileNotFoundException>(() => Trainer.Run(Options(run) with { DataDir = missing, Overwrite = true }));
            var badVocab = Spec() with { Vocab = new VocabSpec { Dataset = "covctr", Size = 3 } };
            Assert.Throws<InvalidDataException>(() => Trainer.Run(Options(run) with { Spec = badVocab, Overwrite = true }));
            Assert.Equal(before, RunFolderSnapshot.Take(run));
            Assert.False(File.Exists(Path.Combine(run, RunFolder.LockFile)));
        }
        finally { Delete(run); }
    }

    [Fact]
    public void FileShare_None_is_an_exclusive_lock_between_two_streams()
    {
        var path = Path.GetTempFileName();
        try
        {
            using var first = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            Assert.ThrowsAny<IOException>(() => new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None));
            Assert.ThrowsAny<IOException>(() => File.ReadAllText(path));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void A_second_training_into_a_locked_folder_is_refused_naming_the_holder_pid()
    {
        var run = TempDir("run");
        try
        {
            Directory.CreateDirectory(run);
            using (RunLock.Acquire(run))
            {
                var e = Assert.Throws<RunLockedException>(() => Trainer.Run(Options(run) with { Epochs = 1 }));
                Assert.Equal(Environment.ProcessId, e.HolderPid);
                Assert.Contains(run, e.Message);
                Assert.Contains(Environment.ProcessId.ToString(), e.Message);
                Assert.Empty(new RunFolder(run).Entries());
            }
            Assert.Single(Trainer.Run(Options(run) with { Epochs = 1 }).History);   // released: the lock file stays, harmlessly
        }
        finally { Delete(run); }
    }

    [Fact]
    public void The_lock_is_held_across_processes_and_a_killed_holder_does_not_block()
    {
        if (OperatingSystem.IsWindows() || !File.Exists("/usr/bin/flock")) return;
        var run = TempDir("run");
        Directory.CreateDirectory(run);
        var lockFile = Path.Combine(run, RunFolder.LockFile);
        var holder = Process.Start(new ProcessStartInfo("bash",
            ["-c", $"exec 9<>'{lockFile}'; flock -n 9 || exit 3; echo $$ > '{lockFile}'; echo locked; exec sleep 60"])
            { RedirectStandardOutput = true })!;
        try
        {
            Assert.Equal("locked", holder.StandardOutput.ReadLine());
            var e = Assert.Throws<RunLockedException>(() => RunLock.Acquire(run));
            Assert.Equal(holder.Id, e.HolderPid);
            holder.Kill();
            holder.WaitForExit();
            Assert.Equal($"{holder.Id}\n", File.ReadAllText(lockFile));     // the stale lock file is still there…
            using (RunLock.Acquire(run)) { }                                  // …and does not block
            Assert.Equal("", File.ReadAllText(lockFile));                       // released: the PID is cleared
        }
        finally
        {
            if (!holder.HasExited) holder.Kill();
            holder.Dispose();
            Delete(run);
        }
    }

    [Fact]
    public void Symbolic_links_inside_the_run_are_refused_and_their_targets_untouched_but_the_root_may_be_a_link()
    {
        var run = TempDir("run");
        var target = Path.GetTempFileName();
        var realRoot = TempDir("real");
        var linkRoot = TempDir("link");
        try
        {
            File.WriteAllText(target, "precious\n");
            Directory.CreateDirectory(run);
            File.CreateSymbolicLink(Path.Combine(run, Trainer.LogFile), target);
            foreach (var o in new[] { Options(run) with { Resume = true }, Options(run) with { Overwrite = true }, Options(run) })
            {
                var e = Assert.Throws<RunFolderException>(() => Trainer.Run(o with { Epochs = 1 }));
                Assert.Contains(Path.Combine(run, Trainer.LogFile), e.Message);
                Assert.Contains("symbolic link", e.Message);
            }
            Assert.Equal("precious\n", File.ReadAllText(target));
            // A folder on the way is a link too.
            File.Delete(Path.Combine(run, Trainer.LogFile));
            Directory.CreateSymbolicLink(Path.Combine(run, Trainer.BestDir), realRoot);
            Assert.Throws<RunFolderException>(() => new RunFolder(run).PathOf("best/model.safetensors"));

            Directory.CreateDirectory(realRoot);
            Directory.CreateSymbolicLink(linkRoot, realRoot);
            Assert.Single(Trainer.Run(Options(linkRoot) with { Epochs = 1 }).History);
            Assert.Single(Trainer.ReadHistory(realRoot));
        }
        finally { File.Delete(target); Delete(run, linkRoot, realRoot); }
    }

    [Fact]
    public void Resume_after_a_kill_between_the_checkpoint_and_the_log_line_gives_each_epoch_once()
    {
        string first = TempDir("run"), lost = TempDir("run"), ahead = TempDir("run");
        try
        {
            Trainer.Run(Options(first) with { StopAfterEpochs = 1 });
            RunFolderSnapshot.Copy(first, lost);
            RunFolderSnapshot.Copy(first, ahead);

            // Killed after last/ committed epoch 1 but before its metrics.jsonl line.
            File.WriteAllText(Path.Combine(lost, Trainer.LogFile), "");
            var r1 = Trainer.Run(Options(lost) with { Resume = true });
            Assert.Equal([1, 2], Epochs(r1.History));
            Assert.Equal([1, 2], Epochs(Trainer.ReadHistory(lost)));

            // Killed after the log line of epoch 2 but before its state (the order of older versions), then again in
            // the middle of appending a line.
            var line = File.ReadAllLines(Path.Combine(ahead, Trainer.LogFile)).Single().Replace("\"epoch\":1", "\"epoch\":2");
            File.AppendAllText(Path.Combine(ahead, Trainer.LogFile), line + "\n" + line[..20]);
            Assert.Equal([1, 2], Epochs(Trainer.ReadHistory(ahead)));
            var r2 = Trainer.Run(Options(ahead) with { Resume = true });
            Assert.Equal([1, 2], Epochs(r2.History));
            Assert.Equal([1, 2], Epochs(Trainer.ReadHistory(ahead)));
            Assert.Equal(r1.History.Select(h => h.TrainLoss), r2.History.Select(h => h.TrainLoss));
        }
        finally { Delete(first, lost, ahead); }
    }

    [Fact]
    public void Resume_after_a_crash_between_the_two_renames_continues_from_the_newest_complete_state()
    {
        string run = TempDir("run"), epoch1 = TempDir("state"), torn = TempDir("run"), partial = TempDir("run");
        try
        {
            Trainer.Run(Options(run) with { Epochs = 3, StopAfterEpochs = 1 });
            RunFolderSnapshot.Copy(Path.Combine(run, Trainer.LastDir), epoch1);
            Trainer.Run(Options(run) with { Epochs = 3, Resume = true, StopAfterEpochs = 1 });
            Assert.Equal(2, RunFolder.CompletedEpoch(Path.Combine(run, Trainer.LastDir)));

            // Crash after last → last.old and before last.tmp → last: last.old is epoch 1, last.tmp (complete) epoch 2.
            RunFolderSnapshot.Copy(run, torn);
            Directory.Move(Path.Combine(torn, Trainer.LastDir), Path.Combine(torn, Trainer.LastDir + ".tmp"));
            RunFolderSnapshot.Copy(epoch1, Path.Combine(torn, Trainer.LastDir + ".old"));
            // …and a half-written best.tmp (no completion marker) left by a kill during a best save.
            Directory.CreateDirectory(Path.Combine(torn, Trainer.BestDir + ".tmp"));
            File.WriteAllText(Path.Combine(torn, Trainer.BestDir + ".tmp", Checkpoint.WeightsFile), "half");
            var logs = new List<string>();
            var r = Trainer.Run(Options(torn) with { Epochs = 3, Resume = true, Log = logs.Add });
            Assert.Contains(logs, l => l.StartsWith("resuming after epoch 2"));
            Assert.Equal([1, 2, 3], Epochs(r.History));
            Assert.Equal([1, 2, 3], Epochs(Trainer.ReadHistory(torn)));
            Assert.DoesNotContain(new RunFolder(torn).Entries(), e => e.EndsWith(".tmp") || e.EndsWith(".old"));
            Assert.True(File.Exists(Path.Combine(torn, Trainer.BestDir, Checkpoint.WeightsFile)));

            // The same crash, but last.tmp was incomplete (no marker): continue from last.old (epoch 1).
            RunFolderSnapshot.Copy(run, partial);
            Directory.Move(Path.Combine(partial, Trainer.LastDir), Path.Combine(partial, Trainer.LastDir + ".tmp"));
            File.Delete(Path.Combine(partial, Trainer.LastDir + ".tmp", RunFolder.CompleteMarker));
            RunFolderSnapshot.Copy(epoch1, Path.Combine(partial, Trainer.LastDir + ".old"));
            logs.Clear();
            var p = Trainer.Run(Options(partial) with { Epochs = 3, Resume = true, Log = logs.Add });
            Assert.Contains(logs, l => l.StartsWith("resuming after epoch 1"));
            Assert.Equal([1, 2, 3], Epochs(Trainer.ReadHistory(partial)));
            Assert.Equal(r.History.Select(h => h.TrainLoss), p.History.Select(h => h.TrainLoss));
        }
        finally { Delete(run, epoch1, torn, partial); }
    }

    [Fact]
    public void Resume_with_history_but_no_state_is_refused_and_keeps_the_history()
    {
        var run = TempDir("run");
        try
        {
            Trainer.Run(Options(run) with { Epochs = 1 });
            Directory.Delete(Path.Combine(run, Trainer.LastDir), true);
            var before = RunFolderSnapshot.Take(run);
            var e = Assert.Throws<RunFolderException>(() => Trainer.Run(Options(run) with { Resume = true }));
            Assert.Contains("--overwrite", e.Message);
            Assert.Contains(Trainer.LogFile, e.Message);
            Assert.Equal(before.Where(kv => kv.Key != RunFolder.LockFile), RunFolderSnapshot.Take(run).Where(kv => kv.Key != RunFolder.LockFile));
            Assert.Single(Trainer.ReadHistory(run));
        }
        finally { Delete(run); }
    }
}

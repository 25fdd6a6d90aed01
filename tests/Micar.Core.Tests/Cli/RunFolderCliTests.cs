using Micar.Cli;
using Micar.Spec;
using Micar.Tests.Training;
using Micar.Training;
using Xunit;

namespace Micar.Tests.Cli;

/// <summary>`micar train` and `micar eval` keep run folders intact: exit code 2 with the folder (and the lock holder's
/// PID) named, and `eval --out` writes nothing into the run folder.</summary>
[Collection("console")]
public class RunFolderCliTests(SmallDataset data) : IClassFixture<SmallDataset>
{
    static (int Code, string Out, string Err) Run(params string[] args) => CliHarness.Run(args);

    static string TempDir(string what) => Path.Combine(Path.GetTempPath(), $"micar-{what}-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void Train_into_a_non_empty_or_locked_folder_exits_2_naming_it()
    {
        var run = TempDir("run");
        var specFile = Path.Combine(Path.GetTempPath(), $"micar-spec-{Guid.NewGuid():N}.json");
        try
        {
            SpecSerializer.Save(RunFolderTests.Spec(), specFile);
            Directory.CreateDirectory(run);
            File.WriteAllText(Path.Combine(run, Trainer.LogFile), "{\"epoch\":1}\n");
            var before = RunFolderSnapshot.Take(run);
            var (c1, _, e1) = Run("train", "--spec", specFile, "--data", data.Dir, "--out", run, "--epochs", "1", "--threads", "1");
            Assert.Equal(2, c1);
            Assert.Contains(run, e1);
            Assert.Contains("--overwrite", e1);
            Assert.Equal(before, RunFolderSnapshot.Take(run));

            var (c2, _, e2) = Run("train", "--spec", specFile, "--data", data.Dir, "--out", run, "--resume", "--overwrite");
            Assert.Equal(2, c2);
            Assert.Contains("exclude", e2);

            File.Delete(Path.Combine(run, Trainer.LogFile));
            using (RunLock.Acquire(run))
            {
                var (c3, _, e3) = Run("train", "--spec", specFile, "--data", data.Dir, "--out", run, "--epochs", "1", "--threads", "1");
                Assert.Equal(2, c3);
                Assert.Contains(run, e3);
                Assert.Contains($"process {Environment.ProcessId}", e3);
            }
        }
        finally
        {
            File.Delete(specFile);
            if (Directory.Exists(run)) Directory.Delete(run, true);
        }
    }

    [Fact]
    public void Eval_with_out_writes_nothing_into_the_run_folder()
    {
        var run = TempDir("run");
        var outDir = TempDir("eval");
        try
        {
            Trainer.Run(new TrainOptions
            {
                Spec = RunFolderTests.Spec(), DataDir = data.Dir, RunDir = run, Epochs = 1, MaxTrainRows = 8, MaxValRows = 4, Log = _ => { },
            });
            var before = RunFolderSnapshot.Take(run);
            var (code, output, err) = Run("eval", "--run", run, "--data", data.Dir, "--beam", "1", "--out", outDir, "--threads", "1");
            Assert.True(code == 0, err);
            Assert.Equal(before, RunFolderSnapshot.Take(run));
            Assert.True(File.Exists(Path.Combine(outDir, "test_reports.csv")));
            Assert.True(File.Exists(Path.Combine(outDir, "test_metrics.json")));
            Assert.True(File.Exists(Path.Combine(outDir, RunReportBuilder.ReportFile)));
            Assert.True(File.Exists(Path.Combine(outDir, "explain", "0", "index.html")));
            Assert.Contains(outDir, output);

            // Without --out, everything goes into the run folder (eval/, report.html, explain/).
            var (code2, _, err2) = Run("eval", "--run", run, "--data", data.Dir, "--beam", "1", "--threads", "1");
            Assert.True(code2 == 0, err2);
            Assert.True(File.Exists(Path.Combine(run, RunFolder.EvalDir, "test_reports.csv")));
            Assert.True(File.Exists(Path.Combine(run, RunReportBuilder.ReportFile)));
        }
        finally
        {
            if (Directory.Exists(run)) Directory.Delete(run, true);
            if (Directory.Exists(outDir)) Directory.Delete(outDir, true);
        }
    }
}

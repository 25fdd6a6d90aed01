using Micar.Layers;
using Micar.Spec;
using Micar.Torch;
using Micar.Training;
using Xunit;

namespace Micar.Tests.Training;

/// <summary>The memory a training run needs, from the description alone, and the refusal of runs that cannot fit.</summary>
public class TrainingMemoryTests
{
    /// <summary>The tiny preset with every width multiplied: tens of billions of parameters, as a user's oversized spec.</summary>
    internal static ModelSpec Oversized() => Presets.Resolve("tiny") with { DModel = 16384, DFf = 65536 };

    [Fact]
    public void Parts_follow_the_parameter_counts_of_the_description()
    {
        var spec = Presets.Resolve("tiny");
        var m = TrainingMemory.Estimate(spec, 4);
        var all = spec.Compile().Parameters().ToList();
        long trainable = all.Where(p => p.Kind == ParamKind.Param).Sum(p => p.Numel) * 4;
        Assert.Equal(all.Sum(p => p.Numel * p.DType.ElementSize()), m.ParameterBytes);
        Assert.Equal(trainable, m.GradientBytes);
        Assert.Equal(3 * trainable, m.OptimizerBytes);
        Assert.Equal(m.ParameterBytes + m.OptimizerBytes + Math.Max(m.GradientBytes, m.ActivationBytes), m.TotalBytes);
        // Activations grow with the batch; a frozen vision encoder has no gradient or optimizer state.
        Assert.True(TrainingMemory.Estimate(spec, 16).ActivationBytes > 3 * m.ActivationBytes);
        var frozen = TrainingMemory.Estimate(spec, 4, freezeVision: true);
        long vision = all.Where(p => p.Kind == ParamKind.Param && p.Name.StartsWith("vis_enc.")).Sum(p => p.Numel) * 4;
        Assert.True(vision > 0);
        Assert.Equal(trainable - vision, frozen.GradientBytes);
    }

    [Fact]
    public void An_oversized_spec_is_estimated_without_allocating_and_refused()
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var m = TrainingMemory.Estimate(Oversized(), 16);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 256L << 20);
        Assert.True(m.ParameterBytes > 100L << 30, m.Describe());
        var e = Assert.Throws<MemoryBudgetException>(() => m.EnsureFits(24L << 30, "training 'tiny'"));
        Assert.Contains("training 'tiny' needs at least", e.Message);
        Assert.Contains("24.0 GiB is available", e.Message);
        Assert.Contains("--force", e.Message);
        TrainingMemory.Estimate(Presets.Resolve("tiny"), 16).EnsureFits(24L << 30, "tiny"); // fits: no exception
    }

    [Fact]
    public void Available_memory_reads_meminfo_and_the_cgroup_room()
    {
        var dir = Directory.CreateTempSubdirectory("micar-mem-").FullName;
        try
        {
            var meminfo = Path.Combine(dir, "meminfo");
            File.WriteAllText(meminfo, "MemTotal:       24731408 kB\nMemFree:        22176904 kB\nMemAvailable:   23635812 kB\n");
            Assert.Equal(23635812L * 1024, AvailableMemory.FromMeminfo(meminfo));
            var (max, current) = (Path.Combine(dir, "memory.max"), Path.Combine(dir, "memory.current"));
            File.WriteAllText(max, "max\n");
            File.WriteAllText(current, "1000\n");
            Assert.Null(AvailableMemory.CgroupRoom(max, current));
            File.WriteAllText(max, "8589934592\n");
            Assert.Equal(8589934592L - 1000, AvailableMemory.CgroupRoom(max, current));
            Assert.True(AvailableMemory.Bytes() > 0);
        }
        finally { Directory.Delete(dir, true); }
    }
}

/// <summary><see cref="Trainer.Run(TrainOptions, CancellationToken)"/> refuses a run that cannot fit before allocating a
/// parameter or writing anything, and refuses bad options before reading the data.</summary>
[Collection("training")]
public class TrainerRefusalTests(SmallDataset data) : IClassFixture<SmallDataset>
{
    [Fact]
    public void An_oversized_spec_is_refused_before_allocating_or_writing()
    {
        var run = Path.Combine(Path.GetTempPath(), "micar-oversized-" + Guid.NewGuid().ToString("N"));
        var spec = RunFolderTests.Spec() with { DModel = 16384, DFf = 65536 };
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<MemoryBudgetException>(() => Trainer.Run(new TrainOptions
            { Spec = spec, DataDir = data.Dir, RunDir = run, MaxTrainRows = 8, MaxValRows = 4, Log = _ => { } }));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 512L << 20);
        Assert.Contains("--force", e.Message);
        Assert.False(Path.Exists(run));
    }

    [Fact]
    public void Bad_options_are_refused_before_the_data_is_read()
    {
        var run = Path.Combine(Path.GetTempPath(), "micar-badopt-" + Guid.NewGuid().ToString("N"));
        var e = Assert.Throws<TrainOptionsException>(() => Trainer.Run(new TrainOptions
            { Spec = RunFolderTests.Spec(), DataDir = "/nonexistent/data", RunDir = run, ValidationBeam = 0, CacheFeatures = true }));
        Assert.Equal(2, e.Problems.Count);
        Assert.False(Path.Exists(run));
        // The validation beam is checked against the vocabulary as soon as it is known, still before anything is written.
        var wide = Assert.Throws<TrainOptionsException>(() => Trainer.Run(new TrainOptions
            { Spec = RunFolderTests.Spec(), DataDir = data.Dir, RunDir = run, ValidationBeam = 100_000, Log = _ => { } }));
        Assert.Contains("vocabulary", wide.Message);
        Assert.False(Path.Exists(run));
    }
}

/// <summary>A dataset whose images are missing or not images is refused before the run folder is written.</summary>
[Collection("training")]
public class TrainerImageCheckTests(SmallDataset data) : IClassFixture<SmallDataset>
{
    [Fact]
    public void Missing_and_broken_images_are_refused_naming_csv_row_and_path_before_anything_is_written()
    {
        var copy = Path.Combine(Path.GetTempPath(), "micar-broken-data-" + Guid.NewGuid().ToString("N"));
        var run = Path.Combine(Path.GetTempPath(), "micar-broken-run-" + Guid.NewGuid().ToString("N"));
        try
        {
            foreach (var f in Directory.EnumerateFiles(data.Dir, "*", SearchOption.AllDirectories))
            {
                var to = Path.Combine(copy, Path.GetRelativePath(data.Dir, f));
                Directory.CreateDirectory(Path.GetDirectoryName(to)!);
                File.Copy(f, to);
            }
            var train = SplitData.Load(copy, "train");
            File.Delete(train.ImagePaths[2]);
            File.WriteAllText(train.ImagePaths[5], "not an image");
            var e = Assert.Throws<InvalidDataException>(() => Trainer.Run(new TrainOptions
                { Spec = RunFolderTests.Spec(), DataDir = copy, RunDir = run, MaxTrainRows = 8, MaxValRows = 4, Log = _ => { } }));
            Assert.Contains("train.csv: 2 of 8 images cannot be used", e.Message);
            Assert.Contains($"row 3 ({train.ImagePaths[2]})", e.Message);
            Assert.Contains($"row 6 ({train.ImagePaths[5]}): not a PNG or JPEG file", e.Message);
            Assert.False(Path.Exists(run));
        }
        finally
        {
            if (Directory.Exists(copy)) Directory.Delete(copy, true);
        }
    }
}

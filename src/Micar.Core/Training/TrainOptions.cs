using Micar.Spec;
using Micar.Nn;

namespace Micar.Training;

/// <summary>What <see cref="Trainer"/> runs.</summary>
public sealed partial record TrainOptions
{
    /// <summary>The model spec (its training section gives the official recipe).</summary>
    public required ModelSpec Spec { get; init; }
    /// <summary>Dataset directory with train.csv, val.csv, test.csv.</summary>
    public required string DataDir { get; init; }
    /// <summary>Run directory (created).</summary>
    public required string RunDir { get; init; }
    /// <summary>Overrides the spec's epochs.</summary>
    public int? Epochs { get; init; }
    /// <summary>Overrides the spec's batch size.</summary>
    public int? BatchSize { get; init; }
    /// <summary>Overrides the spec's seed.</summary>
    public long? Seed { get; init; }
    /// <summary>Overrides the spec's early-stopping patience.</summary>
    public int? Patience { get; init; }
    /// <summary>Freezes the whole vision encoder (ResNet + MSVE); its batch-norm statistics are calibrated on
    /// training images first, then it stays in evaluation mode.</summary>
    public bool FreezeVision { get; init; }
    /// <summary>With a frozen vision encoder, computes the image tokens once and reuses them every epoch.</summary>
    public bool CacheFeatures { get; init; }
    /// <summary>Global gradient-norm clipping (null: none, as the official recipe).</summary>
    public double? GradClip { get; init; }
    /// <summary>Algorithm of the MSVE fusion convolution during training (null: automatic, see
    /// <see cref="Micar.Nn.ForwardContext.FusionConv"/>).</summary>
    public Micar.Torch.ConvAlgorithm? FusionConv { get; init; }
    /// <summary>Replace every image by zeros (the text-only baseline).</summary>
    public bool Blind { get; init; }
    /// <summary>Use at most this many training rows (quick runs).</summary>
    public int? MaxTrainRows { get; init; }
    /// <summary>Use at most this many validation rows.</summary>
    public int? MaxValRows { get; init; }
    /// <summary>Beam width of validation decoding (default: the spec's).</summary>
    public int? ValidationBeam { get; init; }
    /// <summary>Continue from the run's last checkpoint.</summary>
    public bool Resume { get; init; }
    /// <summary>Image decoding limits and the 16-bit mapping (null: <see cref="Data.Images.ImageDecodeOptions.Default"/>).</summary>
    public Data.Images.ImageDecodeOptions? ImageDecode { get; init; }
    /// <summary>Train even when the estimated memory (<see cref="TrainingMemory"/>) exceeds the available memory.</summary>
    public bool Force { get; init; }
    /// <summary>Stop after this many epochs in this invocation (to simulate a kill in tests).</summary>
    public int? StopAfterEpochs { get; init; }
    /// <summary>Progress and log lines (default: stderr).</summary>
    public Action<string>? Log { get; init; }
    /// <summary>Train into a non-empty run folder by first deleting its run files (<see cref="RunFolder.KnownEntries"/>;
    /// other files are kept), once its lock is held and the data checked. Excludes <see cref="Resume"/>.</summary>
    public bool Overwrite { get; init; }

    /// <summary>Data-parallel training: this process's part of a c10d group (null: one process). Rank 0 owns the run
    /// folder (lock, checkpoints, history, validation); every rank trains on its shard with <see cref="BatchSize"/> rows
    /// per step, so a step sees BatchSize × ranks rows in all.</summary>
    public DataParallel? Parallel { get; init; }

    /// <summary>How often training and validation print a progress line (default 5 s).</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Training processes on this machine (they share its memory in the memory check; default 1).</summary>
    public int LocalProcesses { get; init; } = 1;
}

namespace Micar.Spec;

/// <summary>Training and decoding hyperparameters (JSON/YAML key <c>training</c>); defaults are the official <c>cfg.py</c>'s.</summary>
public sealed record TrainingSpec
{
    /// <summary>Images per batch (cfg 8; covctr/pgross/roco 16, mmretinal 32).</summary>
    public int BatchSize { get; init; } = 8;

    /// <summary>Training epochs (100; roco 30).</summary>
    public int Epochs { get; init; } = 100;

    /// <summary>AdamW learning rate of everything but the vision encoder.</summary>
    public double Lr { get; init; } = 1e-4;

    /// <summary>AdamW learning rate of the vision encoder (<c>v_lr</c>).</summary>
    public double VisionLr { get; init; } = 5e-5;

    /// <summary>AdamW weight decay (applied to every parameter).</summary>
    public double WeightDecay { get; init; } = 5e-5;

    /// <summary>StepLR factor, applied every <see cref="StepSize"/> epochs.</summary>
    public double Gamma { get; init; } = 0.1;

    /// <summary>Epochs between StepLR decays; null is the official <c>epochs // 2</c> (at least 1).</summary>
    public int? StepSize { get; init; }

    /// <summary>The StepLR period for a run of <paramref name="epochs"/> epochs.</summary>
    public int StepSizeFor(int epochs) => StepSize ?? Math.Max(1, epochs / 2);

    /// <summary>Early stopping: epochs without improvement of the validation score (<c>max_patience</c>).</summary>
    public int Patience { get; init; } = 50;

    /// <summary>Random seed (cfg 123456; every dataset script 115111211).</summary>
    public long Seed { get; init; } = 123456;

    /// <summary>Beam width of decoding (3; the official beam search degenerates to greedy).</summary>
    public int BeamWidth { get; init; } = 3;
}

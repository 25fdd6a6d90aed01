namespace Micar.Training;

/// <summary>One line of <c>metrics.jsonl</c>: what an epoch did.</summary>
public sealed record EpochRecord
{
    /// <summary>1-based epoch.</summary>
    public int Epoch { get; init; }
    /// <summary>Mean training loss (CE + α·balance).</summary>
    public double TrainLoss { get; init; }
    /// <summary>Mean training cross-entropy.</summary>
    public double TrainCe { get; init; }
    /// <summary>Mean balance value of training batches.</summary>
    public double TrainBalance { get; init; }
    /// <summary>Validation loss (teacher forcing).</summary>
    public double ValLoss { get; init; }
    /// <summary>Validation metrics (jury BLEU-1..4, METEOR, ROUGE-L, score; finding F1 when available).</summary>
    public Dictionary<string, double> Val { get; init; } = new();
    /// <summary>Learning rates per group after the epoch's scheduler step.</summary>
    public double[] Lr { get; init; } = [];
    /// <summary>Fraction of routed tokens per expert, per decoder layer (training batches).</summary>
    public double[][] ExpertLoad { get; init; } = [];
    /// <summary>Training tokens per second.</summary>
    public double TokensPerSecond { get; init; }
    /// <summary>Wall-clock seconds of the epoch (training + validation).</summary>
    public double Seconds { get; init; }
    /// <summary>Whether this epoch produced a new best snapshot.</summary>
    public bool Best { get; init; }
}

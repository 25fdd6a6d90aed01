namespace Micar.Reports;

/// <summary>One epoch of a training log.</summary>
public sealed record EpochRow
{
    /// <summary>Epoch number (as the log counts them, usually from 1).</summary>
    public required int Epoch { get; init; }

    /// <summary>Mean training loss (NaN for a diverged epoch is drawn as a gap).</summary>
    public required double TrainLoss { get; init; }

    /// <summary>Validation loss, when validation ran this epoch.</summary>
    public double? ValLoss { get; init; }

    /// <summary>Learning rate per parameter group at the end of the epoch (e.g. "backbone", "rest").</summary>
    public IReadOnlyDictionary<string, double> LearningRates { get; init; } = new Dictionary<string, double>();

    /// <summary>Validation metric values by name (e.g. "BLEU-4", "CIDEr"); metrics not computed this epoch are absent.</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    /// <summary>Wall-clock seconds the epoch took.</summary>
    public double Seconds { get; init; }

    /// <summary>The cross-entropy part of the training loss (null: not logged).</summary>
    public double? TrainCe { get; init; }

    /// <summary>The decoder's balance value, before its weight (null: not logged).</summary>
    public double? TrainBalance { get; init; }

    /// <summary>True for the epoch whose checkpoint is the run's best (by the validation score).</summary>
    public bool Best { get; init; }
}

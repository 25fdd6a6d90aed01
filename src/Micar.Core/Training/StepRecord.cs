namespace Micar.Training;

/// <summary>One training step as <c>steps.jsonl</c> keeps it (rank 0's batch in data-parallel training).</summary>
public sealed record StepRecord
{
    /// <summary>The epoch (1-based).</summary>
    public int Epoch { get; init; }
    /// <summary>The step within the epoch (1-based).</summary>
    public int Step { get; init; }
    /// <summary>Steps in that epoch.</summary>
    public int Steps { get; init; }
    /// <summary>The training loss of the step's batch.</summary>
    public double Loss { get; init; }
    /// <summary>Its cross-entropy part.</summary>
    public double Ce { get; init; }
    /// <summary>The decoder's balance value (before its weight).</summary>
    public double Balance { get; init; }
}

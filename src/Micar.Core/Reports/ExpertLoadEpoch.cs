namespace Micar.Reports;

/// <summary>How the mixture-of-experts layers spread tokens over their experts during one epoch.</summary>
public sealed record ExpertLoadEpoch
{
    /// <summary>Epoch number, matching <see cref="EpochRow.Epoch"/>.</summary>
    public required int Epoch { get; init; }

    /// <summary>Per decoder layer, the fraction of routed tokens each expert received, <c>[layer][E]</c> (rows sum to 1).</summary>
    public required float[][] Layers { get; init; }
}

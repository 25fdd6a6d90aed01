namespace Micar.Reports;

/// <summary>The mixture-of-experts routing of one decoder layer over the generated tokens.</summary>
public sealed record RoutingTrace
{
    /// <summary>Router selection probabilities, <c>[T][E]</c> (token, expert).</summary>
    public required float[][] Probabilities { get; init; }

    /// <summary>Experts chosen for each token, best first, <c>[T][k]</c>; −1 marks an empty slot (a router that lets experts
    /// choose their tokens leaves a token without some experts).</summary>
    public required int[][] Chosen { get; init; }

    /// <summary>Tokens dispatched to each expert, <c>[E]</c>.</summary>
    public required int[] Load { get; init; }

    /// <summary>Number of experts.</summary>
    public int Experts => Load.Length;
}

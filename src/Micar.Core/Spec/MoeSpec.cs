using Micar.Layers;

namespace Micar.Spec;

/// <summary>The decoder's mixture of experts (JSON/YAML key <c>moe</c>).</summary>
public sealed record MoeSpec
{
    /// <summary>False for the "w/o MoE" ablation: each decoder block gets one dense gated FFN (keys <c>norm_ff</c>, <c>ff</c>).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Number of experts E.</summary>
    public int Experts { get; init; } = 8;

    /// <summary>Experts selected per token k.</summary>
    public int TopK { get; init; } = 2;

    /// <summary>How selected experts are combined: <c>sum</c> (official) or <c>weighted</c> (paper).</summary>
    public MoeCombine Combine { get; init; } = MoeCombine.Sum;

    /// <summary>How experts are run: <c>dense</c> (official) or <c>sparse</c>.</summary>
    public MoeDispatch Dispatch { get; init; } = MoeDispatch.Dense;

    /// <summary>Weight of the balance loss (0.01; 0 for the "w/o balance loss" ablation).</summary>
    public double BalanceLossWeight { get; init; } = 0.01;

    /// <summary>The routing rule (<c>moe.router</c>): a name in <see cref="MoeRouters"/>; <c>top-k</c> (default) is the
    /// official softmax top-k.</summary>
    public string Router { get; init; } = MoeRouter.KindName;
}

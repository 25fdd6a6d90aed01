namespace Micar.Layers;

/// <summary>How a MoE layer combines its selected experts (reference §4.9 and §11, row 1).</summary>
public enum MoeCombine
{
    /// <summary>Score-weighted sum Σᵢ ŝᵢ · fᵢ(x) over the top-k experts (paper, Eq. 6).</summary>
    Weighted,
    /// <summary>(Σₖ ŝₖ) · Σ over the top-k experts of fₑ(x), i.e. an unweighted sum (official code).</summary>
    Sum,
}

namespace Micar.Layers;

/// <summary>How a MoE layer runs its experts (reference §11, row 2). Changes compute, not results.</summary>
public enum MoeDispatch
{
    /// <summary>Each expert runs only on the tokens routed to it (k/E of the tokens on average).</summary>
    Sparse,
    /// <summary>Every used expert runs on every token, unselected tokens with zero input (official code).</summary>
    Dense,
}

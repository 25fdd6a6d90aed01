namespace Micar.Layers;

/// <summary>Which factor multiplies the attention scores (reference §11, row 3).</summary>
public enum AttentionScale
{
    /// <summary>1/√(qk_nope_dim + qk_rope_dim), the per-head width: the official code.</summary>
    PerHead,
    /// <summary>1/√d_latent: the paper.</summary>
    Latent,
}

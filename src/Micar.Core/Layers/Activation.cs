namespace Micar.Layers;

/// <summary>Elementwise activation functions (§4.2 of the reference).</summary>
public enum Activation
{
    /// <summary>x·σ(x) (the official default).</summary>
    Silu,
    /// <summary>Exact erf GELU (PyTorch's <c>nn.GELU()</c> default, not the tanh approximation).</summary>
    Gelu,
    /// <summary>PyTorch SELU (λ ≈ 1.0507, α ≈ 1.6733).</summary>
    Selu,
    /// <summary>x·tanh(exp(x)).</summary>
    Telu,
    /// <summary>max(x, 0) (ResNet and MSVE).</summary>
    Relu,
    /// <summary>1/(1 + exp(−x)) (GatedFusion's gate output).</summary>
    Sigmoid,
}

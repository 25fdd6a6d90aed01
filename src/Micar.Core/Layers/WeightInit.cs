namespace Micar.Layers;

/// <summary>Initializer of a Linear or Embedding weight (biases always keep PyTorch's default).</summary>
public enum WeightInit
{
    /// <summary>PyTorch's default: U(±1/√fan_in) for Linear, N(0, 1) for Embedding.</summary>
    TorchDefault,
    /// <summary><c>xavier_uniform_</c> with gain 1, as the official model re-initialises the text side (§4.12).</summary>
    XavierUniform,
}

/// <summary>Initializer of a Conv2d weight.</summary>
public enum ConvInit
{
    /// <summary>PyTorch's default U(±1/√fan_in), fan_in = in · k · k (the MSVE laterals and fusion conv).</summary>
    TorchDefault,
    /// <summary>torchvision's ResNet init, <c>kaiming_normal_(mode="fan_out", nonlinearity="relu")</c>.</summary>
    KaimingNormalFanOut,
}

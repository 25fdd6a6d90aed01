using System.Globalization;

namespace Micar.Layers;

/// <summary>
/// How a parameter or buffer gets its initial value: a description only, applied later by the tensor engine.
/// The cases are those of the official model (§4.12 of the reference): PyTorch defaults for Linear/Conv,
/// Xavier for the text side, torchvision's ResNet init, BatchNorm defaults, the sinusoidal table and RoPE
/// frequencies.
/// </summary>
public abstract record Initializer
{
    private Initializer() { }

    /// <summary>All ones (RMSNorm and BatchNorm weights, BatchNorm running variance).</summary>
    public sealed record Ones : Initializer
    {
        /// <inheritdoc/>
        public override string ToString() => "ones";
    }

    /// <summary>All zeros (BatchNorm bias and running mean, <c>num_batches_tracked</c>).</summary>
    public sealed record Zeros : Initializer
    {
        /// <inheritdoc/>
        public override string ToString() => "zeros";
    }

    /// <summary>
    /// Uniform on ±1/√fan_in: PyTorch's default for Linear/Conv weights (<c>kaiming_uniform_</c> with a = √5)
    /// and for their biases. For a Conv, fan_in = in_channels · k · k.
    /// </summary>
    public sealed record UniformFanIn(long FanIn) : Initializer
    {
        /// <summary>The bound 1/√fan_in.</summary>
        public double Bound => 1.0 / Math.Sqrt(FanIn);

        /// <inheritdoc/>
        public override string ToString() => $"uniform(±1/sqrt({FanIn}))";
    }

    /// <summary><c>xavier_uniform_</c>: uniform on ±gain·√(6/(fan_in + fan_out)).</summary>
    public sealed record XavierUniform(long FanIn, long FanOut, double Gain = 1.0) : Initializer
    {
        /// <summary>The bound gain·√(6/(fan_in + fan_out)).</summary>
        public double Bound => Gain * Math.Sqrt(6.0 / (FanIn + FanOut));

        /// <inheritdoc/>
        public override string ToString() => $"xavier_uniform(fan_in={FanIn}, fan_out={FanOut})";
    }

    /// <summary>torchvision's ResNet conv init: <c>kaiming_normal_(mode="fan_out", nonlinearity="relu")</c>, N(0, 2/fan_out), fan_out = out_channels · k · k.</summary>
    public sealed record KaimingNormalFanOut(long FanOut) : Initializer
    {
        /// <summary>The standard deviation √(2/fan_out).</summary>
        public double Std => Math.Sqrt(2.0 / FanOut);

        /// <inheritdoc/>
        public override string ToString() => $"kaiming_normal(fan_out={FanOut}, relu)";
    }

    /// <summary>Standard normal N(0, 1): PyTorch's default for <c>nn.Embedding</c>.</summary>
    public sealed record StandardNormal : Initializer
    {
        /// <inheritdoc/>
        public override string ToString() => "normal(0, 1)";
    }

    /// <summary>
    /// The sinusoidal position table <c>[1, MaxLength, Dim]</c>: <c>pe[p, 2i] = sin(p·ωᵢ)</c>,
    /// <c>pe[p, 2i+1] = cos(p·ωᵢ)</c>, <c>ωᵢ = exp(2i·(−ln 10000 / Dim))</c>, in float32.
    /// </summary>
    public sealed record Sinusoidal(int MaxLength, int Dim) : Initializer
    {
        /// <inheritdoc/>
        public override string ToString() => $"sinusoidal({MaxLength}×{Dim})";
    }

    /// <summary>RoPE frequencies <c>f_j = Theta^(−2j/RotaryDim)</c>, j = 0 … ⌊RotaryDim/2⌋ − 1 (float32).</summary>
    public sealed record RopeFrequencies(int RotaryDim, double Theta) : Initializer
    {
        /// <inheritdoc/>
        public override string ToString() =>
            $"rope_freqs(dim={RotaryDim}, theta={Theta.ToString(CultureInfo.InvariantCulture)})";
    }
}

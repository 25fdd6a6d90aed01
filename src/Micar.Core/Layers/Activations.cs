using Micar.Torch;

namespace Micar.Layers;

/// <summary>The activations of the official code: SiLU, exact GELU, SELU and TeLU (<c>x·tanh(eˣ)</c>).</summary>
public static class Activations
{
    /// <summary>TeLU: <c>x·tanh(exp(x))</c>.</summary>
    public static Tensor Telu(Tensor x)
    {
        using var e = x.Exp();
        using var t = e.Tanh();
        return x.Mul(t);
    }

    /// <summary>The function of an <see cref="Activation"/>.</summary>
    public static Func<Tensor, Tensor> Of(Activation a) => a switch
    {
        Activation.Silu => x => x.Silu(),
        Activation.Gelu => x => x.Gelu(),
        Activation.Selu => x => x.Selu(),
        Activation.Telu => Telu,
        Activation.Relu => x => x.Relu(),
        Activation.Sigmoid => x => x.Sigmoid(),
        _ => throw new ArgumentOutOfRangeException(nameof(a), a, "unknown activation"),
    };

    /// <summary>The activation function named <paramref name="name"/> (silu, gelu, selu, telu; case-insensitive).</summary>
    public static Func<Tensor, Tensor> ByName(string name) => name.ToLowerInvariant() switch
    {
        "silu" => x => x.Silu(),
        "gelu" => x => x.Gelu(),
        "selu" => x => x.Selu(),
        "telu" => Telu,
        _ => throw new ArgumentException($"unknown activation '{name}' (expected silu, gelu, selu or telu)"),
    };
}

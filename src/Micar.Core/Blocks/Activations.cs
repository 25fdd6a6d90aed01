using Micar.Torch;

namespace Micar.Blocks;

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

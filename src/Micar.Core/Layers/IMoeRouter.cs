using Micar.Nn;
using Micar.Torch;

namespace Micar.Layers;

/// <summary>
/// A mixture-of-experts router: a description (its parameters under <c>gate</c> of the MoE, its checks and shapes) that
/// decides which experts see which tokens. <see cref="Moe"/> runs whichever router its <see cref="Moe.RouterKind"/> names
/// (<see cref="MoeRouters"/>); a new routing rule is one class implementing this interface plus its line in
/// <see cref="MoeRouters"/>, selected in specs by <c>moe.router</c>.
/// </summary>
public interface IMoeRouter : ILayer
{
    /// <summary>Number of experts E.</summary>
    int Experts { get; }

    /// <summary>
    /// Routes flattened tokens [n, d] with the parameters under <paramref name="p"/>. Returns the routing probabilities
    /// [n, E] (the balance value is computed from them), and k slots per token: the expert of each slot [n, k] (int64,
    /// −1 for an empty slot) and its weight [n, k] (0 for an empty slot). k may differ between routers (top-k: k; a
    /// router that lets experts choose tokens: E, with empty slots where an expert did not choose the token).
    /// </summary>
    (Tensor Probs, Tensor Scores, Tensor Experts) Route(ParamView p, Tensor tokens, ForwardContext ctx);
}

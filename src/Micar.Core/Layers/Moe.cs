using System.Globalization;

namespace Micar.Layers;

/// <summary>
/// Mixture of gated-FFN experts (§4.9), <c>[b, T, DModel] → [b, T, DModel]</c>, plus a scalar balance value
/// <c>lb = Σₑ p̄ₑ·ln(p̄ₑ + 1e-8)</c> (p̄ = mean routing probabilities over all b·T tokens), added to the loss
/// with weight <paramref name="BalanceLossWeight"/>. Children <c>experts</c> (<see cref="LayerList"/> of
/// <see cref="GatedFfn"/>) and <c>gate</c> (<see cref="MoeRouter"/>).
/// <para><paramref name="Combine"/>: <see cref="MoeCombine.Weighted"/> = Σ ŝᵢ·fᵢ(x) (paper);
/// <see cref="MoeCombine.Sum"/> = (Σ ŝ)·Σ fᵢ(x) (official). <paramref name="Dispatch"/>: which tokens each
/// expert runs on (changes compute only).</para>
/// </summary>
/// <param name="DModel">Token width.</param>
/// <param name="DFf">Hidden width of each expert.</param>
/// <param name="Experts">Number of experts E.</param>
/// <param name="TopK">Experts per token k.</param>
/// <param name="Activation">Expert activation.</param>
/// <param name="Dropout">Dropout after each expert's w2.</param>
/// <param name="Combine">How the selected experts are combined.</param>
/// <param name="Dispatch">How experts are run.</param>
/// <param name="BalanceLossWeight">Weight of the balance value in the training loss (0.01 official, 0 = ablated); the
/// loss reads it through <see cref="CaptionModel.BalanceLossWeight"/>, so all MoE layers of a decoder must agree.</param>
/// <param name="Init">Initializer of the expert and router weights.</param>
public sealed record Moe(
    int DModel, int DFf, int Experts, int TopK, Activation Activation, double Dropout,
    MoeCombine Combine, MoeDispatch Dispatch, double BalanceLossWeight, WeightInit Init = WeightInit.TorchDefault) : ILayer
{
    /// <summary>Added to p̄ inside the logarithm of the balance value.</summary>
    public const double BalanceEpsilon = 1e-8;

    /// <inheritdoc/>
    public string Kind => "Moe";

    /// <summary>The description of one expert (all experts are alike).</summary>
    public GatedFfn Expert => new(DModel, DFf, Activation, Dropout, Init);

    /// <summary>The router.</summary>
    public MoeRouter Router => new(DModel, Experts, TopK, Init);

    /// <summary>The experts container.</summary>
    public LayerList ExpertList => new(Enumerable.Repeat<ILayer>(Expert, Math.Max(Experts, 0)));

    /// <inheritdoc/>
    public IReadOnlyList<ParamInfo> Tensors => [];

    /// <inheritdoc/>
    public IReadOnlyList<NamedLayer> Children => [new("experts", ExpertList), new("gate", Router)];

    /// <inheritdoc/>
    public IEnumerable<string> CheckFields()
    {
        if (Experts <= 0) yield return $"Moe.Experts {Experts} must be positive";
        if (TopK <= 0) yield return $"Moe.TopK {TopK} must be positive";
        else if (TopK > Experts) yield return $"Moe.TopK {TopK} exceeds Moe.Experts {Experts}";
        if (!(BalanceLossWeight >= 0)) yield return $"Moe.BalanceLossWeight {BalanceLossWeight} must not be negative";
        if (!Enum.IsDefined(Combine)) yield return $"Moe.Combine {(int)Combine} is not a known combine mode";
        if (!Enum.IsDefined(Dispatch)) yield return $"Moe.Dispatch {(int)Dispatch} is not a known dispatch mode";
    }

    /// <inheritdoc/>
    public Shape Trace(ShapeTracer tracer, IReadOnlyList<Shape> inputs)
    {
        tracer.ExpectInputs(inputs, 1);
        var x = inputs[0];                                                   // [b, T, d]
        tracer.ExpectMinRank(x, 2, "input");
        var tokens = new Shape(x.Numel / Math.Max(x.Last, 1), x.Last);      // [b·T, d]
        tracer.Call("gate", Router, tokens);
        var share = Dispatch == MoeDispatch.Sparse ? (double)TopK / Experts : 1.0;
        for (var e = 0; e < Experts; e++)
            tracer.CallShared("experts." + e.ToString(CultureInfo.InvariantCulture), Expert, share, tokens);
        return x;
    }
}

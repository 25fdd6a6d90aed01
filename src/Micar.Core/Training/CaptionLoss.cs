using Micar.Data;
using Micar.Layers;
using Micar.Torch;

namespace Micar.Training;

/// <summary>
/// The training loss of MicarVLMoE, in one place: token-level cross-entropy over the non-pad labels plus α × the
/// decoder's balance value, with α the description's <see cref="CaptionModel.BalanceLossWeight"/> (0.01 official, 0 when
/// ablated or without MoE). The trainer, the validation loss, the benchmarks and the notebooks all call this.
/// </summary>
public static class CaptionLoss
{
    /// <summary>The loss of a decoder output against <paramref name="labels"/> [b, T] (pad = <see cref="SpecialTokens.PadId"/>),
    /// weighting the balance value as <paramref name="model"/> says. Computed in float32 (logits from an autocast region are
    /// cast up first). Returns the loss and its cross-entropy part (the same tensor when the weight is 0).</summary>
    public static (Tensor Loss, Tensor CrossEntropy) Of(CaptionModel model, DecoderOutput output, Tensor labels) =>
        Of(output, labels, model.BalanceLossWeight);

    /// <summary>The same loss with an explicit balance weight <paramref name="alpha"/>.</summary>
    public static (Tensor Loss, Tensor CrossEntropy) Of(DecoderOutput output, Tensor labels, double alpha)
    {
        using var scope = Libtorch.NewScope();
        var logits = output.Logits.DType == DType.Float32 ? output.Logits : output.Logits.To(DType.Float32);
        var ce = F.CrossEntropy(logits.Reshape(-1, logits.Size(-1)), labels.Reshape(-1), ignoreIndex: SpecialTokens.PadId).MoveToOuterScope();
        if (alpha == 0) return (ce, ce);
        var balance = output.BalanceLoss.DType == DType.Float32 ? output.BalanceLoss : output.BalanceLoss.To(DType.Float32);
        return (ce.Add(balance.Mul(alpha)).MoveToOuterScope(), ce);
    }

    /// <summary>The loss from its two parts already read out (e.g. averaged over a validation set), as
    /// <see cref="Of(CaptionModel, DecoderOutput, Tensor)"/> combines them.</summary>
    public static double Value(CaptionModel model, double crossEntropy, double balance) =>
        model.BalanceLossWeight == 0 ? crossEntropy : crossEntropy + model.BalanceLossWeight * balance;
}

using Micar.Layers;
using Micar.Nn;
using Micar.Torch;

namespace Micar.Training;

/// <summary>Weights of the terms of <see cref="MedMoeLoss"/> (spec key <c>loss</c> of a MedMoE spec).</summary>
public sealed record MedMoeLossWeights
{
    /// <summary>Weight of the symmetric InfoNCE between global image and report embeddings.</summary>
    public double Global { get; init; } = 1.0;

    /// <summary>Weight of the region/word alignment term (symmetric InfoNCE over late-interaction similarities).</summary>
    public double Local { get; init; } = 0.5;

    /// <summary>Weight of the MoE balance value Σₑ p̄ₑ·ln p̄ₑ (ignored without a router).</summary>
    public double Balance { get; init; } = 0.01;

    /// <summary>Weight of the modality head's cross-entropy (the classifier that routes at inference).</summary>
    public double Modality { get; init; } = 0.1;

    /// <summary>Problems, each naming its field.</summary>
    public IEnumerable<string> Check()
    {
        if (!(Global >= 0 && double.IsFinite(Global))) yield return $"loss.global {Global} must be finite and not negative";
        if (!(Local >= 0 && double.IsFinite(Local))) yield return $"loss.local {Local} must be finite and not negative";
        if (!(Balance >= 0 && double.IsFinite(Balance))) yield return $"loss.balance {Balance} must be finite and not negative";
        if (!(Modality >= 0 && double.IsFinite(Modality))) yield return $"loss.modality {Modality} must be finite and not negative";
    }
}

/// <summary>The terms of a MedMoE training loss (scalar tensors) and their weighted sum.</summary>
/// <param name="Total">Σ weight·term.</param>
/// <param name="Global">Symmetric InfoNCE of the global embeddings.</param>
/// <param name="Local">Symmetric InfoNCE of the region/word similarities.</param>
/// <param name="Balance">MoE balance value (0 without a router).</param>
/// <param name="Modality">Modality cross-entropy (0 without labels).</param>
public sealed record MedMoeLosses(Tensor Total, Tensor Global, Tensor Local, Tensor Balance, Tensor Modality) : IDisposable
{
    /// <summary>Releases the tensors.</summary>
    public void Dispose() { Total.Dispose(); Global.Dispose(); Local.Dispose(); Balance.Dispose(); Modality.Dispose(); }
}

/// <summary>
/// MedMoE's training objective: symmetric InfoNCE (CLIP) between the global image and report embeddings with the model's
/// learnable temperature, a local alignment term (the same symmetric InfoNCE over region/word late-interaction
/// similarities: for image i and report j, the mean over j's words of the best-matching region of i, as FILIP), the MoE
/// balance value, and the modality head's cross-entropy — each with its weight.
/// </summary>
public static class MedMoeLoss
{
    /// <summary>Symmetric InfoNCE of square logits [n, n] whose diagonal holds the matched pairs:
    /// <c>(CE(logits, i) + CE(logitsᵀ, i)) / 2</c>, rows = images, columns = reports.</summary>
    public static Tensor InfoNce(Tensor logits)
    {
        if (logits.Dim != 2 || logits.Size(0) != logits.Size(1))
            throw new ArgumentException($"InfoNCE logits [{string.Join(", ", logits.Shape)}] must be square");
        using var scope = Libtorch.NewScope();
        var target = Libtorch.Arange(logits.Size(0), device: logits.Device);
        var a = F.CrossEntropy(logits, target);
        var b = F.CrossEntropy(logits.Transpose(0, 1), target);
        return a.Add(b).Mul(0.5).MoveToOuterScope();
    }

    /// <summary>Symmetric InfoNCE of matched rows of <paramref name="images"/> [n, e] and <paramref name="reports"/> [n, e]
    /// with similarity scale <paramref name="scale"/> (a scalar tensor, 1/τ).</summary>
    public static Tensor InfoNce(Tensor images, Tensor reports, Tensor scale)
    {
        using var scope = Libtorch.NewScope();
        return InfoNce(images.Matmul(reports.Transpose(0, 1)).Mul(scale)).MoveToOuterScope();
    }

    /// <summary>Late-interaction similarity [bᵢ, bₜ] of region embeddings [bᵢ, R, e] and word embeddings [bₜ, T, e]
    /// (mask [bₜ, T], true = a word): for each pair, the mean over the report's words of the word's best region similarity.</summary>
    public static Tensor LocalSimilarity(Tensor regions, Tensor words, Tensor mask)
    {
        using var scope = Libtorch.NewScope();
        var sims = Libtorch.Einsum("ire,jte->ijtr", regions, words);                    // [bi, bt, T, R]
        var best = sims.Amax(-1);                                                        // [bi, bt, T]
        var m = mask.To(best.DType).Unsqueeze(0);                                        // [1, bt, T]
        return best.Mul(m).Sum(-1).Div(m.Sum(-1).Clamp(1.0, null)).MoveToOuterScope();   // [bi, bt]
    }

    /// <summary>The weighted loss of one batch of matched images and reports. <paramref name="modality"/>: the modality
    /// labels [b] (int64) for the head's cross-entropy, or null (the term is then 0).</summary>
    public static MedMoeLosses Of(MedMoeModel model, ParamView p, MedMoeImage image, MedMoeText text, Tensor? modality, MedMoeLossWeights weights)
    {
        using var scope = Libtorch.NewScope();
        var scale = model.LogitScale(p);
        var global = InfoNce(image.Global, text.Global, scale);
        var local = InfoNce(LocalSimilarity(image.Local, text.Words, text.Mask).Mul(scale));
        var balance = model.HasRouter ? image.Balance.Alias() : Libtorch.ZerosLike(global);
        var mod = modality is null ? Libtorch.ZerosLike(global) : F.CrossEntropy(image.ModalityLogits, modality.Long());
        var total = global.Mul(weights.Global).Add(local.Mul(weights.Local));
        if (model.HasRouter && weights.Balance != 0) total = total.Add(balance.Mul(weights.Balance));
        if (modality is not null && weights.Modality != 0) total = total.Add(mod.Mul(weights.Modality));
        return new MedMoeLosses(total.MoveToOuterScope(), global.MoveToOuterScope(), local.MoveToOuterScope(),
            balance.MoveToOuterScope(), mod.MoveToOuterScope());
    }
}

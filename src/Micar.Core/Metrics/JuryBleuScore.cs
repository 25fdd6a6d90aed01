namespace Micar.Metrics;

/// <summary>One corpus BLEU-k result as jury reports it (tensorflow/nmt <c>compute_bleu</c>, no smoothing).</summary>
/// <param name="MaxOrder">k.</param>
/// <param name="Score">Geometric mean of p₁..p_k times the brevity penalty, in [0, 1]; exactly 0 when any pₙ is 0.</param>
/// <param name="Precisions">p₁..p_k: clipped matches over possible n-grams (0 when nothing is possible).</param>
/// <param name="BrevityPenalty">1 when c &gt; ρ, else exp(1 − ρ/c).</param>
/// <param name="LengthRatio">c / ρ.</param>
/// <param name="TranslationLength">c, the total hypothesis token count.</param>
/// <param name="ReferenceLength">ρ, the total reference token count.</param>
public sealed record JuryBleuScore(
    int MaxOrder,
    double Score,
    IReadOnlyList<double> Precisions,
    double BrevityPenalty,
    double LengthRatio,
    int TranslationLength,
    int ReferenceLength);

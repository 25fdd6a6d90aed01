using System.Text.Json.Serialization;

namespace Micar.Metrics;

/// <summary>
/// The jury-flavour corpus metrics of the official MicarVLMoE code (<c>metrics.md</c> §3), all in [0, 1].
/// </summary>
/// <param name="Bleu1">Corpus BLEU-1 (tokenizer J, tensorflow/nmt <c>compute_bleu</c>, no smoothing).</param>
/// <param name="Bleu2">Corpus BLEU-2.</param>
/// <param name="Bleu3">Corpus BLEU-3.</param>
/// <param name="Bleu4">Corpus BLEU-4.</param>
/// <param name="Meteor">Mean of nltk <c>single_meteor_score</c> over pairs.</param>
/// <param name="RougeL">ROUGE-L as jury reports it: the bootstrap mid under <paramref name="RougeLSeed"/>.</param>
/// <param name="RougeLMean">The plain mean of per-pair ROUGE-L F1 (deterministic alternative).</param>
/// <param name="RougeLSeed">The numpy seed used for <paramref name="RougeL"/>.</param>
/// <param name="BootstrapSamples">Bootstrap resamples used for <paramref name="RougeL"/>.</param>
/// <param name="Score">The monitored validation score (B1+B2+B3+B4)/8 + METEOR/4 + ROUGE-L(mid)/4.</param>
/// <param name="ScoreWithRougeLMean">The same score with <paramref name="RougeLMean"/> in place of the mid.</param>
public sealed record JuryScores(
    [property: JsonPropertyName("bleu1")] double Bleu1,
    [property: JsonPropertyName("bleu2")] double Bleu2,
    [property: JsonPropertyName("bleu3")] double Bleu3,
    [property: JsonPropertyName("bleu4")] double Bleu4,
    [property: JsonPropertyName("meteor")] double Meteor,
    [property: JsonPropertyName("rougeL")] double RougeL,
    [property: JsonPropertyName("rougeLMean")] double RougeLMean,
    [property: JsonPropertyName("rougeLSeed")] uint RougeLSeed,
    [property: JsonPropertyName("bootstrapSamples")] int BootstrapSamples,
    [property: JsonPropertyName("score")] double Score,
    [property: JsonPropertyName("scoreWithRougeLMean")] double ScoreWithRougeLMean)
{
    /// <summary>The monitored score (B1+B2+B3+B4)/8 + METEOR/4 + ROUGE-L/4, evaluated left to right.</summary>
    public static double MonitoredScore(double bleu1, double bleu2, double bleu3, double bleu4, double meteor, double rougeL) =>
        (bleu1 + bleu2 + bleu3 + bleu4) / 8 + meteor / 4 + rougeL / 4;
}

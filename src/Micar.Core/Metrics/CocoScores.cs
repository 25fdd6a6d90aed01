using System.Text.Json.Serialization;

namespace Micar.Metrics;

/// <summary>The coco-flavour (pycocoevalcap, as R2Gen calls it) corpus metrics (<c>metrics.md</c> §4).</summary>
/// <param name="Tokenization">How the texts were prepared.</param>
/// <param name="Bleu1">Corpus BLEU-1 (closest reference length, +1e−15/+1e−9 terms).</param>
/// <param name="Bleu2">Corpus BLEU-2.</param>
/// <param name="Bleu3">Corpus BLEU-3.</param>
/// <param name="Bleu4">Corpus BLEU-4.</param>
/// <param name="RougeL">Mean ROUGE-L with β = 1.2.</param>
/// <param name="CiderD">Mean CIDEr-D (σ = 6, ×10; idf from the evaluated references).</param>
/// <param name="Meteor">
/// Always null: METEOR 1.5 needs pycocoevalcap's Java jar and its paraphrase and synonym data, so it is
/// reported as absent rather than approximated (nltk METEOR is a different metric; see <see cref="JuryScores.Meteor"/>).
/// </param>
public sealed record CocoScores(
    [property: JsonPropertyName("tokenization")] CocoTokenization Tokenization,
    [property: JsonPropertyName("bleu1")] double Bleu1,
    [property: JsonPropertyName("bleu2")] double Bleu2,
    [property: JsonPropertyName("bleu3")] double Bleu3,
    [property: JsonPropertyName("bleu4")] double Bleu4,
    [property: JsonPropertyName("rougeL")] double RougeL,
    [property: JsonPropertyName("ciderD")] double CiderD,
    [property: JsonPropertyName("meteor")] double? Meteor);

using System.Text.Json;
using System.Text.Json.Serialization;

namespace Micar.Metrics;

/// <summary>
/// Both metric families for one corpus, serialisable to JSON with stable field names
/// (<c>pairs</c>, <c>jury.{bleu1..bleu4, meteor, rougeL, rougeLMean, rougeLSeed, bootstrapSamples, score,
/// scoreWithRougeLMean}</c>, <c>coco.{tokenization, bleu1..bleu4, rougeL, ciderD, meteor}</c>).
/// </summary>
/// <param name="Pairs">Number of scored pairs.</param>
/// <param name="Jury">The jury flavour (official MicarVLMoE numbers and model-selection score).</param>
/// <param name="Coco">The coco flavour (pycocoevalcap as R2Gen calls it).</param>
public sealed record MetricReport(
    [property: JsonPropertyName("pairs")] int Pairs,
    [property: JsonPropertyName("jury")] JuryScores Jury,
    [property: JsonPropertyName("coco")] CocoScores Coco)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private static readonly JsonSerializerOptions Compact = new();

    /// <summary>Scores a corpus with both families.</summary>
    /// <param name="predictions">Generated reports.</param>
    /// <param name="references">Reference reports, one per prediction.</param>
    /// <param name="jury">jury-flavour options; null for the defaults.</param>
    /// <param name="coco">coco-flavour text preparation.</param>
    public static MetricReport Compute(
        IReadOnlyList<string> predictions, IReadOnlyList<string> references,
        JuryOptions? jury = null, CocoTokenization coco = CocoTokenization.R2Gen)
    {
        var juryScores = JuryMetrics.Compute(predictions, references, jury);
        var cocoScores = CocoMetrics.Compute(predictions, references, coco);
        return new MetricReport(predictions.Count, juryScores, cocoScores);
    }

    /// <summary>Reads a pairs file (<see cref="MetricPairs.ReadTsv"/>, within <paramref name="limits"/>) and scores it.</summary>
    public static MetricReport FromTsv(
        string path, JuryOptions? jury = null, CocoTokenization coco = CocoTokenization.R2Gen, MetricPairsLimits? limits = null)
    {
        var pairs = MetricPairs.ReadTsv(path, limits);
        return Compute(pairs.Predictions, pairs.References, jury, coco);
    }

    /// <summary>The report as JSON.</summary>
    public string ToJson(bool indented = true) => JsonSerializer.Serialize(this, indented ? Indented : Compact);

    /// <summary>Parses a report written by <see cref="ToJson"/>.</summary>
    /// <exception cref="JsonException">The text is not such a report.</exception>
    public static MetricReport FromJson(string json) =>
        JsonSerializer.Deserialize<MetricReport>(json, Compact) ?? throw new JsonException("the JSON text is null, not a metric report.");
}

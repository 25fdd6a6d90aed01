namespace Micar.Metrics;

/// <summary>
/// Bounds <see cref="MetricPairs.ReadTsv"/> enforces so that a hostile or broken pairs file is refused quickly
/// instead of exhausting time or memory: ROUGE-L's longest common subsequence is quadratic in the length of a pair
/// (by design of the metric), so the length of each text must be bounded.
/// </summary>
public sealed record MetricPairsLimits
{
    /// <summary>The defaults: 1 MiB per line, 10,000 tokens per side.</summary>
    public static MetricPairsLimits Default { get; } = new();

    /// <summary>
    /// Largest accepted line, in bytes of UTF-8 without the line break (default 1 MiB). Checked while reading, so a
    /// file without line breaks is never held in memory whole.
    /// </summary>
    public int MaxLineBytes { get; init; } = 1 << 20;

    /// <summary>
    /// Largest accepted number of tokens in a prediction or a reference (default 10,000; real reports have well under
    /// 1,000). A text is counted under each tokenization the scorers use — tokenizer J (jury BLEU and METEOR),
    /// tokenizer T (jury ROUGE-L), whitespace and single-space splitting (coco) — and the largest count applies.
    /// At the limit one pair takes of the order of 0.1 s to score.
    /// </summary>
    public int MaxTokensPerText { get; init; } = 10_000;

    /// <summary>Checks that both limits are at least 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is below 1.</exception>
    internal void Validate()
    {
        if (MaxLineBytes < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxLineBytes), MaxLineBytes, "MetricPairsLimits.MaxLineBytes must be at least 1.");
        if (MaxTokensPerText < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxTokensPerText), MaxTokensPerText, "MetricPairsLimits.MaxTokensPerText must be at least 1.");
    }
}

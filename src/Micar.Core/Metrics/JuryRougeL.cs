namespace Micar.Metrics;

/// <summary>
/// ROUGE-L as jury computes it with rouge_score (<c>metrics.md</c> §3.4): tokenizer T, no stemming, LCS-based
/// F1 per pair; the corpus value is either the plain mean or jury's bootstrap "mid".
/// </summary>
public static class JuryRougeL
{
    /// <summary>The F1 of one pair: P = L/|pred|, R = L/|ref|, F = 2PR/(P+R); 0 when either side is empty.</summary>
    public static double PairF1(string prediction, string reference)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(reference);
        return TokensF1(RougeTokenizer.Tokenize(prediction), RougeTokenizer.Tokenize(reference));
    }

    /// <summary>The F1 of one pair of T-tokenized texts.</summary>
    public static double TokensF1(IReadOnlyList<string> prediction, IReadOnlyList<string> reference)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(reference);
        if (prediction.Count == 0 || reference.Count == 0) return 0.0;
        int lcs = LongestCommonSubsequence.Length(reference, prediction);
        double precision = (double)lcs / prediction.Count;
        double recall = (double)lcs / reference.Count;
        return precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0.0;
    }

    /// <summary>The arithmetic mean of per-pair F1 values (numpy's pairwise summation).</summary>
    public static double Mean(IReadOnlyList<double> pairF1) => NumpyArithmetic.Mean(pairF1);

    /// <summary>
    /// The value jury reports: rouge_score's <c>BootstrapAggregator</c> mid (the linear 50th percentile of
    /// <paramref name="samples"/> bootstrap means) under numpy's legacy generator seeded with <paramref name="seed"/>,
    /// after the 2·<paramref name="samples"/> index vectors jury draws for rouge1 and rouge2.
    /// </summary>
    /// <param name="pairF1">Per-pair F1 values, in corpus order.</param>
    /// <param name="seed">The numpy seed S (official runs: 115111211).</param>
    /// <param name="samples">Bootstrap resamples (jury: 1000).</param>
    public static double BootstrapMid(IReadOnlyList<double> pairF1, uint seed, int samples = 1000)
    {
        ArgumentNullException.ThrowIfNull(pairF1);
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        if (pairF1.Count == 0) throw new ArgumentException("the bootstrap needs at least one value.", nameof(pairF1));
        int n = pairF1.Count;
        var random = new Micar.Data.NumpyRandomState(seed);
        // rouge1 and rouge2 are aggregated first, each consuming `samples` index vectors of length n.
        for (long skip = 2L * samples * n; skip > 0; skip--) random.NextInterval((uint)n - 1);
        var means = new double[samples];
        var sample = new double[n];
        for (int s = 0; s < samples; s++)
        {
            for (int i = 0; i < n; i++) sample[i] = pairF1[(int)random.NextInterval((uint)n - 1)];
            means[s] = NumpyArithmetic.Mean(sample);
        }
        return NumpyArithmetic.PercentileLinear(means, 50.0);
    }
}

namespace Micar.Metrics;

/// <summary>
/// The jury-flavour metrics exactly as the official MicarVLMoE code gets them from jury 2.3.1 called once over
/// a split with one prediction and one reference per item (<c>metrics.md</c> §3).
/// </summary>
public static class JuryMetrics
{
    /// <summary>Scores a corpus.</summary>
    /// <param name="predictions">Generated reports (an empty string is allowed and scores 0).</param>
    /// <param name="references">Reference reports, one per prediction.</param>
    /// <param name="options">Seed, resamples and WordNet source; null for <see cref="JuryOptions.Default"/>.</param>
    /// <exception cref="ArgumentException">
    /// The lists are empty or differ in length, or BLEU is undefined because all predictions (or all references)
    /// are empty after tokenizer J — upstream fails there with a division by zero.
    /// </exception>
    public static JuryScores Compute(IReadOnlyList<string> predictions, IReadOnlyList<string> references, JuryOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(references);
        if (predictions.Count != references.Count)
            throw new ArgumentException(
                $"jury metrics need one reference per prediction: {predictions.Count} predictions, {references.Count} references.",
                nameof(references));
        if (predictions.Count == 0) throw new ArgumentException("jury metrics need at least one pair.", nameof(predictions));
        for (int i = 0; i < predictions.Count; i++)
        {
            if (predictions[i] is null) throw new ArgumentNullException(nameof(predictions), $"prediction {i} is null.");
            if (references[i] is null) throw new ArgumentNullException(nameof(references), $"reference {i} is null.");
        }
        options ??= JuryOptions.Default;
        var (hypTokens, refTokens, meteorScores, rouge) = Pairs(predictions, references, options);
        var bleu = JuryBleu.ComputeOrders(hypTokens, refTokens);
        double rougeMean = JuryRougeL.Mean(rouge);
        double rougeMid = JuryRougeL.BootstrapMid(rouge, options.Seed, options.BootstrapSamples);

        double meteorMean = NumpyArithmetic.Mean(meteorScores);
        return new JuryScores(
            bleu[0].Score, bleu[1].Score, bleu[2].Score, bleu[3].Score,
            meteorMean, rougeMid, rougeMean, options.Seed, options.BootstrapSamples,
            JuryScores.MonitoredScore(bleu[0].Score, bleu[1].Score, bleu[2].Score, bleu[3].Score, meteorMean, rougeMid),
            JuryScores.MonitoredScore(bleu[0].Score, bleu[1].Score, bleu[2].Score, bleu[3].Score, meteorMean, rougeMean));
    }

    /// <summary>What the corpus scores are made of, per report: both sides tokenized as jury tokenizes them, and each
    /// pair's METEOR and ROUGE-L F1 (the corpus METEOR and ROUGE-L are their means; BLEU is computed from the tokens).</summary>
    internal static (IReadOnlyList<string>[] Hypotheses, IReadOnlyList<string>[] References, double[] Meteor, double[] RougeL) Pairs(
        IReadOnlyList<string> predictions, IReadOnlyList<string> references, JuryOptions options)
    {
        var hypTokens = predictions.Select(JuryTokenizer.Tokenize).ToArray();
        var refTokens = references.Select(JuryTokenizer.Tokenize).ToArray();
        var meteor = new NltkMeteor(options.WordNet ?? WordNetDatabase.Resolve(options.WordNetDirectory));
        var meteorScores = new double[predictions.Count];
        for (int i = 0; i < meteorScores.Length; i++) meteorScores[i] = meteor.Score(hypTokens[i], refTokens[i]);
        var rouge = new double[predictions.Count];
        for (int i = 0; i < rouge.Length; i++) rouge[i] = JuryRougeL.PairF1(predictions[i], references[i]);
        return (hypTokens, refTokens, meteorScores, rouge);
    }
}

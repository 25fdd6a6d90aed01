namespace Micar.Metrics;

/// <summary>
/// pycocoevalcap's <c>Rouge</c> (<c>metrics.md</c> §4.3): tokens from splitting on the single space character
/// (so an empty string is one empty token), LCS precision and recall maximised separately over references,
/// F with β = 1.2, corpus value the mean over items.
/// </summary>
public static class CocoRougeL
{
    /// <summary>β of the F-measure.</summary>
    public const double Beta = 1.2;

    /// <summary>Corpus ROUGE-L with one reference per hypothesis.</summary>
    public static CocoCorpusScore Compute(IReadOnlyList<string> hypotheses, IReadOnlyList<string> references)
    {
        ArgumentNullException.ThrowIfNull(references);
        return ComputeMultiReference(hypotheses, references.Select(r => (IReadOnlyList<string>)[r]).ToList());
    }

    /// <summary>Corpus ROUGE-L with one or more references per hypothesis.</summary>
    public static CocoCorpusScore ComputeMultiReference(
        IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string>> references)
    {
        CocoInputs.Validate(hypotheses, references);
        var scores = new double[hypotheses.Count];
        for (int i = 0; i < scores.Length; i++) scores[i] = ItemScore(hypotheses[i], references[i]);
        return new CocoCorpusScore(NumpyArithmetic.Mean(scores), scores);
    }

    /// <summary>The score of one item.</summary>
    public static double ItemScore(string hypothesis, IReadOnlyList<string> references)
    {
        ArgumentNullException.ThrowIfNull(hypothesis);
        ArgumentNullException.ThrowIfNull(references);
        if (references.Count == 0) throw new ArgumentException("ROUGE-L needs at least one reference.", nameof(references));
        var candidate = hypothesis.Split(' ');
        double bestPrecision = double.NegativeInfinity, bestRecall = double.NegativeInfinity;
        foreach (var reference in references)
        {
            var tokens = reference.Split(' ');
            int lcs = LongestCommonSubsequence.Length(tokens, candidate);
            bestPrecision = Math.Max(bestPrecision, lcs / (double)candidate.Length);
            bestRecall = Math.Max(bestRecall, lcs / (double)tokens.Length);
        }
        if (bestPrecision == 0 || bestRecall == 0) return 0.0;
        double beta2 = Math.Pow(Beta, 2);
        return (1 + beta2) * bestPrecision * bestRecall / (bestRecall + beta2 * bestPrecision);
    }
}

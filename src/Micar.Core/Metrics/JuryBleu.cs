namespace Micar.Metrics;

/// <summary>
/// jury's corpus BLEU (<c>metrics.md</c> §3.2): tensorflow/nmt <c>compute_bleu</c> with uniform weights and
/// no smoothing, over one reference per hypothesis, on already tokenized text (tokenizer J).
/// </summary>
public static class JuryBleu
{
    /// <summary>BLEU-1..<paramref name="maxOrder"/>, each a separate <c>compute_bleu</c> run with that order.</summary>
    /// <param name="hypotheses">Tokenized hypotheses.</param>
    /// <param name="references">Tokenized references, one per hypothesis.</param>
    /// <param name="maxOrder">Highest order, 1..4.</param>
    /// <returns>Element k−1 is BLEU-k.</returns>
    /// <exception cref="ArgumentException">
    /// The corpus has no hypothesis tokens or no reference tokens, where upstream fails with a division by zero;
    /// or the lists differ in length or are empty.
    /// </exception>
    public static IReadOnlyList<JuryBleuScore> ComputeOrders(
        IReadOnlyList<IReadOnlyList<string>> hypotheses,
        IReadOnlyList<IReadOnlyList<string>> references,
        int maxOrder = NGram.MaxOrder)
    {
        ArgumentNullException.ThrowIfNull(hypotheses);
        ArgumentNullException.ThrowIfNull(references);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxOrder, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxOrder, NGram.MaxOrder);
        if (hypotheses.Count != references.Count)
            throw new ArgumentException(
                $"jury BLEU needs one reference per hypothesis: {hypotheses.Count} hypotheses, {references.Count} references.",
                nameof(references));
        if (hypotheses.Count == 0) throw new ArgumentException("jury BLEU needs at least one pair.", nameof(hypotheses));

        var interner = new TokenInterner();
        var matches = new long[maxOrder];
        var possible = new long[maxOrder];
        int translationLength = 0, referenceLength = 0;
        for (int i = 0; i < hypotheses.Count; i++)
        {
            var hyp = interner.Intern(hypotheses[i] ?? throw new ArgumentNullException(nameof(hypotheses), $"hypothesis {i} is null"));
            var reference = interner.Intern(references[i] ?? throw new ArgumentNullException(nameof(references), $"reference {i} is null"));
            translationLength += hyp.Length;
            referenceLength += reference.Length;
            var hypBag = NGramBag.Of(hyp, maxOrder);
            var refBag = NGramBag.Of(reference, maxOrder);
            foreach (var (gram, count) in hypBag.Counts)
                matches[gram.Order - 1] += Math.Min(count, refBag.CountOf(gram));
            for (int n = 1; n <= maxOrder; n++)
                possible[n - 1] += Math.Max(0, hyp.Length - n + 1);
        }

        if (referenceLength == 0)
            throw new ArgumentException(
                "jury BLEU is undefined: every reference is empty after tokenizer J (reference length 0); upstream raises ZeroDivisionError.",
                nameof(references));
        if (translationLength == 0)
            throw new ArgumentException(
                "jury BLEU is undefined: every prediction is empty after tokenizer J (translation length 0); upstream raises ZeroDivisionError.",
                nameof(hypotheses));

        double ratio = (double)translationLength / referenceLength;
        double brevityPenalty = ratio > 1.0 ? 1.0 : Math.Exp(1 - 1.0 / ratio);
        var precisions = new double[maxOrder];
        for (int n = 0; n < maxOrder; n++)
            precisions[n] = possible[n] > 0 ? (double)matches[n] / possible[n] : 0.0;

        var scores = new JuryBleuScore[maxOrder];
        for (int k = 1; k <= maxOrder; k++)
        {
            double geometricMean = 0.0;
            if (precisions.Take(k).Min() > 0)
            {
                double logSum = 0.0;
                for (int n = 0; n < k; n++) logSum += 1.0 / k * Math.Log(precisions[n]);
                geometricMean = Math.Exp(logSum);
            }
            scores[k - 1] = new JuryBleuScore(
                k, geometricMean * brevityPenalty, precisions[..k], brevityPenalty, ratio, translationLength, referenceLength);
        }
        return scores;
    }
}

namespace Micar.Metrics;

/// <summary>
/// pycocoevalcap's <c>Bleu(4)</c> (<c>BleuScorer</c>, option "closest"; <c>metrics.md</c> §4.2): whitespace
/// tokens, clipped counts against the per-n-gram maximum over references, reference length closest to the
/// hypothesis length (ties to the shorter), cumulative products with the +1e−15 / +1e−9 terms, brevity
/// penalty when the length ratio is below 1.
/// </summary>
public static class CocoBleu
{
    private const double Tiny = 1e-15;
    private const double Small = 1e-9;

    /// <summary>Corpus BLEU-1..4 with one reference per hypothesis.</summary>
    /// <returns>Four values; element n−1 is BLEU-n.</returns>
    public static IReadOnlyList<double> Compute(IReadOnlyList<string> hypotheses, IReadOnlyList<string> references)
    {
        ArgumentNullException.ThrowIfNull(references);
        return ComputeMultiReference(hypotheses, references.Select(r => (IReadOnlyList<string>)[r]).ToList());
    }

    /// <summary>Corpus BLEU-1..4 with one or more references per hypothesis.</summary>
    /// <returns>Four values; element n−1 is BLEU-n.</returns>
    public static IReadOnlyList<double> ComputeMultiReference(
        IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string>> references)
    {
        CocoInputs.Validate(hypotheses, references);
        const int n = NGram.MaxOrder;
        var interner = new TokenInterner();
        long testLength = 0, referenceLength = 0;
        var guess = new long[n];
        var correct = new long[n];
        for (int i = 0; i < hypotheses.Count; i++)
        {
            var hyp = NGramBag.Of(interner.Intern(PythonString.SplitWhitespace(hypotheses[i])), n);
            var maxCounts = new Dictionary<NGram, int>();
            var lengths = new List<int>();
            foreach (var text in references[i])
            {
                var bag = NGramBag.Of(interner.Intern(PythonString.SplitWhitespace(text)), n);
                lengths.Add(bag.Length);
                foreach (var (gram, count) in bag.Counts)
                    maxCounts[gram] = Math.Max(maxCounts.GetValueOrDefault(gram), count);
            }
            testLength += hyp.Length;
            referenceLength += Closest(lengths, hyp.Length);
            for (int k = 1; k <= n; k++) guess[k - 1] += Math.Max(0, hyp.Length - k + 1);
            foreach (var (gram, count) in hyp.Counts)
                correct[gram.Order - 1] += Math.Min(maxCounts.GetValueOrDefault(gram), count);
        }

        var bleus = new double[n];
        double product = 1.0;
        for (int k = 0; k < n; k++)
        {
            product *= (correct[k] + Tiny) / (guess[k] + Small);
            bleus[k] = Math.Pow(product, 1.0 / (k + 1));
        }
        double ratio = (testLength + Tiny) / (referenceLength + Small);
        if (ratio < 1)
        {
            for (int k = 0; k < n; k++) bleus[k] *= Math.Exp(1 - 1 / ratio);
        }
        return bleus;
    }

    /// <summary>The reference length closest to the hypothesis length; ties go to the shorter one.</summary>
    private static int Closest(List<int> lengths, int testLength)
    {
        int best = lengths[0];
        foreach (int length in lengths)
        {
            int d = Math.Abs(length - testLength), bestD = Math.Abs(best - testLength);
            if (d < bestD || (d == bestD && length < best)) best = length;
        }
        return best;
    }
}

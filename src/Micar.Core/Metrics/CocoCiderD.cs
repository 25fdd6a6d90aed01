namespace Micar.Metrics;

/// <summary>
/// pycocoevalcap's <c>Cider</c>, which is CIDEr-D (<c>metrics.md</c> §4.4): n = 1..4, tf·idf weights with
/// document frequencies from the references of the evaluated set, clipped similarity, Gaussian length penalty
/// (σ = 6) on bigram counts, ×10, mean over references and then over items. Sums run in the upstream
/// dictionary order, so values agree to the last bits.
/// </summary>
public static class CocoCiderD
{
    /// <summary>σ of the length penalty.</summary>
    public const double Sigma = 6.0;

    /// <summary>Corpus CIDEr-D with one reference per hypothesis.</summary>
    public static CocoCorpusScore Compute(IReadOnlyList<string> hypotheses, IReadOnlyList<string> references)
    {
        ArgumentNullException.ThrowIfNull(references);
        return ComputeMultiReference(hypotheses, references.Select(r => (IReadOnlyList<string>)[r]).ToList());
    }

    /// <summary>Corpus CIDEr-D with one or more references per hypothesis.</summary>
    public static CocoCorpusScore ComputeMultiReference(
        IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string>> references)
    {
        CocoInputs.Validate(hypotheses, references);
        const int n = NGram.MaxOrder;
        var interner = new TokenInterner();
        var hypBags = hypotheses.Select(h => NGramBag.Of(interner.Intern(PythonString.SplitWhitespace(h)), n)).ToArray();
        var refBags = references
            .Select(rs => rs.Select(r => NGramBag.Of(interner.Intern(PythonString.SplitWhitespace(r)), n)).ToArray())
            .ToArray();

        var documentFrequency = new Dictionary<NGram, int>();
        foreach (var bags in refBags)
        {
            var seen = new HashSet<NGram>();
            foreach (var bag in bags)
                foreach (var gram in bag.Ordered)
                    seen.Add(gram);
            foreach (var gram in seen) documentFrequency[gram] = documentFrequency.GetValueOrDefault(gram) + 1;
        }

        double logItems = Math.Log(hypotheses.Count);
        var scores = new double[hypotheses.Count];
        for (int i = 0; i < scores.Length; i++)
        {
            var hyp = Vectorize(hypBags[i], documentFrequency, logItems);
            var sum = new double[n];
            foreach (var refBag in refBags[i])
            {
                var reference = Vectorize(refBag, documentFrequency, logItems);
                for (int k = 0; k < n; k++) sum[k] += Similarity(hyp, reference, k);
            }
            double mean = NumpyArithmetic.PairwiseSum(sum) / n;
            mean /= refBags[i].Length;
            scores[i] = mean * 10.0;
        }
        return new CocoCorpusScore(NumpyArithmetic.Mean(scores), scores);
    }

    /// <summary>One text's tf·idf vectors per order, their norms and its bigram count.</summary>
    private sealed record Vector(Dictionary<NGram, double>[] Weights, List<NGram>[] Order, double[] Norms, int Length);

    private static Vector Vectorize(NGramBag bag, Dictionary<NGram, int> documentFrequency, double logItems)
    {
        const int n = NGram.MaxOrder;
        var weights = new Dictionary<NGram, double>[n];
        var order = new List<NGram>[n];
        var norms = new double[n];
        for (int k = 0; k < n; k++)
        {
            weights[k] = [];
            order[k] = [];
        }
        int length = 0;
        foreach (var gram in bag.Ordered)
        {
            int tf = bag.Counts[gram];
            double df = Math.Log(Math.Max(1.0, documentFrequency.GetValueOrDefault(gram)));
            int k = gram.Order - 1;
            double w = tf * (logItems - df);
            weights[k][gram] = w;
            order[k].Add(gram);
            norms[k] += Math.Pow(w, 2);
            if (k == 1) length += tf;
        }
        for (int k = 0; k < n; k++) norms[k] = Math.Sqrt(norms[k]);
        return new Vector(weights, order, norms, length);
    }

    private static double Similarity(Vector hyp, Vector reference, int k)
    {
        double delta = hyp.Length - reference.Length;
        double value = 0.0;
        foreach (var gram in hyp.Order[k])
        {
            double wr = reference.Weights[k].GetValueOrDefault(gram);
            value += Math.Min(hyp.Weights[k][gram], wr) * wr;
        }
        if (hyp.Norms[k] != 0 && reference.Norms[k] != 0) value /= hyp.Norms[k] * reference.Norms[k];
        value *= Math.Pow(Math.E, -(delta * delta) / (2 * Sigma * Sigma));
        return value;
    }
}

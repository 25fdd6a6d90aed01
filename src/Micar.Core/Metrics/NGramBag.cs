namespace Micar.Metrics;

/// <summary>
/// The n-gram counts of one token sequence for orders 1..maxOrder, with the distinct n-grams also listed in
/// first-occurrence order (order 1 first, then by position), which is the iteration order of the Python
/// dictionaries the upstream code sums over.
/// </summary>
internal sealed class NGramBag
{
    private NGramBag(Dictionary<NGram, int> counts, List<NGram> ordered, int length)
    {
        Counts = counts;
        Ordered = ordered;
        Length = length;
    }

    /// <summary>Count of each n-gram.</summary>
    public Dictionary<NGram, int> Counts { get; }

    /// <summary>Distinct n-grams in first-occurrence order.</summary>
    public List<NGram> Ordered { get; }

    /// <summary>Number of tokens.</summary>
    public int Length { get; }

    /// <summary>Counts the n-grams of <paramref name="ids"/> up to <paramref name="maxOrder"/>.</summary>
    public static NGramBag Of(int[] ids, int maxOrder)
    {
        var counts = new Dictionary<NGram, int>();
        var ordered = new List<NGram>();
        for (int order = 1; order <= maxOrder; order++)
        {
            for (int i = 0; i + order <= ids.Length; i++)
            {
                var gram = NGram.At(ids, i, order);
                if (counts.TryGetValue(gram, out int c)) counts[gram] = c + 1;
                else
                {
                    counts[gram] = 1;
                    ordered.Add(gram);
                }
            }
        }
        return new NGramBag(counts, ordered, ids.Length);
    }

    /// <summary>The count of <paramref name="gram"/>, 0 when absent.</summary>
    public int CountOf(NGram gram) => Counts.TryGetValue(gram, out int c) ? c : 0;
}

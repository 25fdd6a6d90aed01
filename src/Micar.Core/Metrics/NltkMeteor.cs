using System.Collections.Concurrent;

namespace Micar.Metrics;

/// <summary>
/// nltk's <c>single_meteor_score</c> as jury calls it (<c>metrics.md</c> §3.3): greedy last-to-first alignment
/// in three stages (exact, Porter stem, WordNet synonym; stems carried into the WordNet stage), then
/// Fmean with α, the chunk penalty γ·frag^β. Thread-safe.
/// </summary>
public sealed class NltkMeteor
{
    private readonly WordNetDatabase wordNet;
    private readonly ConcurrentDictionary<string, string> stems = new(StringComparer.Ordinal);

    /// <summary>Creates a scorer.</summary>
    /// <param name="wordNet">WordNet 3.0 (for example <see cref="WordNetDatabase.Resolve"/>).</param>
    /// <param name="alpha">Precision/recall weight (nltk and jury: 0.9).</param>
    /// <param name="beta">Penalty exponent (3).</param>
    /// <param name="gamma">Penalty weight (0.5).</param>
    public NltkMeteor(WordNetDatabase wordNet, double alpha = 0.9, double beta = 3.0, double gamma = 0.5)
    {
        ArgumentNullException.ThrowIfNull(wordNet);
        this.wordNet = wordNet;
        Alpha = alpha;
        Beta = beta;
        Gamma = gamma;
    }

    /// <summary>Precision/recall weight α.</summary>
    public double Alpha { get; }

    /// <summary>Fragmentation penalty exponent β.</summary>
    public double Beta { get; }

    /// <summary>Fragmentation penalty weight γ.</summary>
    public double Gamma { get; }

    /// <summary>The METEOR score of one tokenized pair (tokens are lower-cased first, as nltk does).</summary>
    /// <param name="hypothesis">Hypothesis tokens.</param>
    /// <param name="reference">Reference tokens.</param>
    /// <returns>The score in [0, 1]; 0 when either side is empty or nothing aligns.</returns>
    public double Score(IReadOnlyList<string> hypothesis, IReadOnlyList<string> reference) =>
        Score(hypothesis, reference, out _);

    /// <summary>As <see cref="Score(IReadOnlyList{string}, IReadOnlyList{string})"/>, also returning the alignment.</summary>
    /// <param name="hypothesis">Hypothesis tokens.</param>
    /// <param name="reference">Reference tokens.</param>
    /// <param name="alignment">The (hypothesis position, reference position) pairs, sorted by hypothesis position.</param>
    public double Score(IReadOnlyList<string> hypothesis, IReadOnlyList<string> reference, out IReadOnlyList<(int Hypothesis, int Reference)> alignment)
    {
        ArgumentNullException.ThrowIfNull(hypothesis);
        ArgumentNullException.ThrowIfNull(reference);
        var hyp = Enumerate(hypothesis);
        var refs = Enumerate(reference);

        var matches = new List<(int Hypothesis, int Reference)>();
        MatchGreedy(hyp, refs, matches, static (h, _) => [h], this);
        StemAll(hyp);
        StemAll(refs);
        MatchGreedy(hyp, refs, matches, static (h, _) => [h], this);
        MatchGreedy(hyp, refs, matches, static (h, self) => self.wordNet.Synonyms(h), this);
        // nltk sorts the concatenated stage lists by hypothesis position (a stable sort; positions are unique).
        var sorted = matches.OrderBy(m => m.Hypothesis).ToList();
        alignment = sorted;

        int m = sorted.Count;
        if (hypothesis.Count == 0 || reference.Count == 0 || m == 0) return 0.0;
        double precision = (double)m / hypothesis.Count;
        double recall = (double)m / reference.Count;
        double fmean = precision * recall / (Alpha * precision + (1 - Alpha) * recall);
        double fragmentation = (double)CountChunks(sorted) / m;
        double penalty = Gamma * Math.Pow(fragmentation, Beta);
        return (1 - penalty) * fmean;
    }

    private static List<(int Position, string Form)> Enumerate(IReadOnlyList<string> tokens)
    {
        var list = new List<(int, string)>(tokens.Count);
        for (int i = 0; i < tokens.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(tokens[i]);
            list.Add((i, PythonString.Lower(tokens[i])));
        }
        return list;
    }

    private void StemAll(List<(int Position, string Form)> items)
    {
        for (int i = 0; i < items.Count; i++)
            items[i] = (items[i].Position, stems.GetOrAdd(items[i].Form, PorterStemmer.Stem));
    }

    /// <summary>
    /// nltk's <c>_match_enums</c>: hypothesis items from last to first; for each, the first accepted reference
    /// item scanning from last to first; both removed on a match. A reference item is accepted when its form is
    /// one of <paramref name="accepted"/>(hypothesis form), so "the first from the end" is the largest remaining
    /// reference position among those forms: the remaining positions are kept per form, in ascending order, and
    /// each hypothesis item costs one look-up per accepted form instead of a scan of the reference
    /// (O(|hyp| + |ref|) for the exact and stem stages rather than O(|hyp|·|ref|)).
    /// </summary>
    private static void MatchGreedy(
        List<(int Position, string Form)> hyp,
        List<(int Position, string Form)> refs,
        List<(int Hypothesis, int Reference)> matches,
        Func<string, NltkMeteor, IEnumerable<string>> accepted,
        NltkMeteor self)
    {
        // Remaining reference items of each form, as indices into `refs` in ascending order (so by position).
        var byForm = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int j = 0; j < refs.Count; j++)
        {
            if (!byForm.TryGetValue(refs[j].Form, out var list)) byForm[refs[j].Form] = list = [];
            list.Add(j);
        }
        var usedRefs = new bool[refs.Count];
        var usedHyp = new bool[hyp.Count];
        for (int i = hyp.Count - 1; i >= 0; i--)
        {
            List<int>? best = null;
            foreach (var form in accepted(hyp[i].Form, self))
            {
                if (byForm.TryGetValue(form, out var list) && list.Count > 0 && (best is null || list[^1] > best[^1]))
                    best = list;
            }
            if (best is null) continue;
            int j = best[^1];
            best.RemoveAt(best.Count - 1);
            matches.Add((hyp[i].Position, refs[j].Position));
            usedHyp[i] = true;
            usedRefs[j] = true;
        }
        RemoveUsed(hyp, usedHyp);
        RemoveUsed(refs, usedRefs);
    }

    /// <summary>Removes the flagged items, keeping the others in order.</summary>
    private static void RemoveUsed(List<(int Position, string Form)> items, bool[] used)
    {
        int kept = 0;
        for (int i = 0; i < items.Count; i++)
        {
            if (!used[i]) items[kept++] = items[i];
        }
        items.RemoveRange(kept, items.Count - kept);
    }

    /// <summary>nltk's <c>_count_chunks</c>: 1 + the number of breaks between consecutive pairs.</summary>
    private static int CountChunks(List<(int Hypothesis, int Reference)> sorted)
    {
        int chunks = 1;
        for (int i = 0; i + 1 < sorted.Count; i++)
        {
            bool adjacent = sorted[i + 1].Hypothesis == sorted[i].Hypothesis + 1
                && sorted[i + 1].Reference == sorted[i].Reference + 1;
            if (!adjacent) chunks++;
        }
        return chunks;
    }
}

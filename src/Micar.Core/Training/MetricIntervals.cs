using Micar.Data.Synthetic;
using Micar.Metrics;

namespace Micar.Training;

/// <summary>A 95 % percentile-bootstrap interval of a test metric.</summary>
/// <param name="Low">2.5th percentile of the resampled values.</param>
/// <param name="High">97.5th percentile.</param>
public readonly record struct Interval(double Low, double High);

/// <summary>
/// How much the test metrics could move with another test set of the same size: the reports are resampled with
/// replacement <c>samples</c> times (a fixed seed, so the intervals repeat) and each metric recomputed on every
/// resample; the interval is the 2.5th–97.5th percentile. Covers jury BLEU-1…4 (corpus level, recomputed), METEOR and
/// ROUGE-L (means of per-report scores) and, on the synthetic set, finding F1 and finding-type F1.
/// </summary>
public static class MetricIntervals
{
    /// <summary>Intervals of the metrics of <paramref name="predictions"/> against <paramref name="references"/>.</summary>
    public static Dictionary<string, Interval> Bootstrap(IReadOnlyList<string> predictions, IReadOnlyList<string> references, bool synthetic,
        int samples = 1000, int seed = 0)
    {
        int n = predictions.Count;
        if (n != references.Count) throw new ArgumentException($"{n} predictions but {references.Count} references", nameof(references));
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 2);
        var values = new Dictionary<string, List<double>>();
        void Add(string key, double v) => (values.TryGetValue(key, out var l) ? l : values[key] = []).Add(v);
        if (n == 0) return [];
        // The per-report parts of the jury scores, computed once; every resample only recombines them.
        bool anyText = predictions.Any(p => !string.IsNullOrWhiteSpace(p));
        var (hyp, refs, meteor, rouge) = anyText
            ? JuryMetrics.Pairs(predictions, references, JuryOptions.Default)
            : ([], [], new double[n], new double[n]);
        var found = synthetic ? predictions.Select(FindingExtractor.Extract).ToArray() : [];
        var gold = synthetic ? references.Select(FindingExtractor.Extract).ToArray() : [];
        var rng = new Random(seed);
        var pick = new int[n];
        for (int s = 0; s < samples; s++)
        {
            for (int i = 0; i < n; i++) pick[i] = rng.Next(n);
            if (anyText)
            {
                var bleu = JuryBleu.ComputeOrders(pick.Select(i => hyp[i]).ToArray(), pick.Select(i => refs[i]).ToArray());
                for (int k = 0; k < 4; k++) Add($"bleu{k + 1}", bleu[k].Score);
                Add("meteor", pick.Average(i => meteor[i]));
                Add("rougeL", pick.Average(i => rouge[i]));
            }
            if (synthetic)
            {
                Add("finding_f1", FindingScorer.ScoreSets(pick.Select(i => (found[i], gold[i]))).F1);
                Add("finding_type_f1", FindingScorer.ScoreSets(pick.Select(i => (found[i], gold[i])), FindingMatch.Type).F1);
            }
        }
        return values.ToDictionary(kv => kv.Key, kv =>
            new Interval(NumpyArithmetic.PercentileLinear(kv.Value, 2.5), NumpyArithmetic.PercentileLinear(kv.Value, 97.5)));
    }
}

namespace Micar.Data.Synthetic;

/// <summary>
/// Scores generated reports against references by the findings they state (see <see cref="FindingExtractor"/>):
/// precision, recall and F1 over finding keys — (type, side, zone) by default — micro-averaged over the corpus.
/// </summary>
public static class FindingScorer
{
    /// <summary>Scores report texts: both sides of every pair go through <see cref="FindingExtractor.Extract"/>.</summary>
    /// <param name="pairs">(generated report, reference report) pairs.</param>
    /// <param name="match">Which attributes must agree.</param>
    public static FindingScores Score(IEnumerable<(string Prediction, string Reference)> pairs, FindingMatch match = FindingMatch.TypeSideZone)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        return ScoreSets(pairs.Select(p => (FindingExtractor.Extract(p.Prediction), FindingExtractor.Extract(p.Reference))), match);
    }

    /// <summary>Scores finding sets directly (e.g. extracted predictions against the dataset's ground truth codes).</summary>
    /// <param name="pairs">(predicted, reference) finding-set pairs.</param>
    /// <param name="match">Which attributes must agree.</param>
    public static FindingScores ScoreSets(IEnumerable<(FindingSet Predicted, FindingSet Reference)> pairs, FindingMatch match = FindingMatch.TypeSideZone)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        int reports = 0, predicted = 0, reference = 0, tp = 0, exact = 0;
        foreach (var (pred, gold) in pairs)
        {
            ArgumentNullException.ThrowIfNull(pred);
            ArgumentNullException.ThrowIfNull(gold);
            reports++;
            predicted += pred.Count;
            reference += gold.Count;
            var remaining = new Dictionary<Finding, int>();
            foreach (var f in gold)
            {
                var key = Key(f, match);
                remaining[key] = remaining.GetValueOrDefault(key) + 1;
            }

            var hits = 0;
            foreach (var f in pred)
            {
                var key = Key(f, match);
                if (remaining.TryGetValue(key, out var n) && n > 0)
                {
                    remaining[key] = n - 1;
                    hits++;
                }
            }

            tp += hits;
            if (hits == pred.Count && hits == gold.Count)
            {
                exact++;
            }
        }

        var precision = Ratio(tp, predicted, reference);
        var recall = Ratio(tp, reference, predicted);
        var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        var exactMatch = reports == 0 ? 0 : (double)exact / reports;
        return new FindingScores(reports, predicted, reference, tp, precision, recall, f1, exactMatch);
    }

    /// <summary>The part of <paramref name="finding"/> that <paramref name="match"/> compares (other attributes blanked).</summary>
    public static Finding Key(Finding finding, FindingMatch match)
    {
        ArgumentNullException.ThrowIfNull(finding);
        return match switch
        {
            FindingMatch.Type => new Finding(finding.Type, LungSide.Unknown, LungZone.Unknown, LesionDepth.Unknown, LesionSize.Unknown, LesionMargin.Unknown),
            FindingMatch.TypeSideZone => new Finding(finding.Type, finding.Side, finding.Zone, LesionDepth.Unknown, LesionSize.Unknown, LesionMargin.Unknown),
            FindingMatch.All => finding,
            _ => throw new ArgumentOutOfRangeException(nameof(match), match, null),
        };
    }

    private static double Ratio(int hits, int denominator, int other) =>
        denominator == 0 ? (other == 0 ? 1.0 : 0.0) : (double)hits / denominator;
}

namespace Micar.Metrics;

/// <summary>
/// Cross-modal retrieval scores from a similarity matrix (rows = queries, columns = gallery items). A query may have
/// several relevant items (e.g. every image whose report reads the same). A query's rank is the number of irrelevant
/// items scoring at least as high as its best relevant item, so ties count against the query; it is a hit at K when that
/// rank is below K. Queries without a relevant item are refused.
/// </summary>
public static class Retrieval
{
    /// <summary>Rank (0 = first) of each query's best relevant item, ties counted against the query.</summary>
    /// <exception cref="ArgumentException">Ragged rows, a NaN score, a relevant index out of range, or a query without one.</exception>
    public static int[] Ranks(IReadOnlyList<IReadOnlyList<double>> scores, IReadOnlyList<IReadOnlyCollection<int>> relevant)
    {
        if (scores.Count != relevant.Count)
            throw new ArgumentException($"{scores.Count} score rows but {relevant.Count} relevance sets");
        var ranks = new int[scores.Count];
        int width = scores.Count == 0 ? 0 : scores[0].Count;
        for (int q = 0; q < scores.Count; q++)
        {
            var row = scores[q];
            if (row.Count != width) throw new ArgumentException($"row {q} has {row.Count} scores, row 0 has {width}");
            if (relevant[q].Count == 0) throw new ArgumentException($"query {q} has no relevant item");
            var best = double.NegativeInfinity;
            foreach (var i in relevant[q])
            {
                if (i < 0 || i >= width) throw new ArgumentException($"query {q}: relevant item {i} is outside [0, {width})");
                best = Math.Max(best, row[i]);
            }
            var set = relevant[q] as IReadOnlySet<int> ?? relevant[q].ToHashSet();
            int rank = 0;
            for (int i = 0; i < width; i++)
            {
                if (double.IsNaN(row[i])) throw new ArgumentException($"query {q}: score {i} is NaN");
                if (!set.Contains(i) && row[i] >= best) rank++;
            }
            ranks[q] = rank;
        }
        return ranks;
    }

    /// <summary>Recall@K: the share of queries whose best relevant item ranks among the first <paramref name="k"/>.</summary>
    public static double RecallAt(IReadOnlyList<int> ranks, int k)
    {
        if (k <= 0) throw new ArgumentOutOfRangeException(nameof(k), k, "K must be positive");
        return ranks.Count == 0 ? 0 : ranks.Count(r => r < k) / (double)ranks.Count;
    }

    /// <summary>Recall@1, @5 and @10 of a similarity matrix.</summary>
    public static RecallAtK Recall(IReadOnlyList<IReadOnlyList<double>> scores, IReadOnlyList<IReadOnlyCollection<int>> relevant)
    {
        var ranks = Ranks(scores, relevant);
        return new RecallAtK(RecallAt(ranks, 1), RecallAt(ranks, 5), RecallAt(ranks, 10));
    }

    /// <summary>The relevance sets of paired data where item i of the gallery is the pair of query i, and items whose
    /// <paramref name="keys"/> are equal (e.g. identical report texts) are all relevant to each other's queries.</summary>
    public static IReadOnlyList<IReadOnlyCollection<int>> SameKey<T>(IReadOnlyList<T> keys) where T : notnull
    {
        var groups = new Dictionary<T, List<int>>();
        for (int i = 0; i < keys.Count; i++)
        {
            if (!groups.TryGetValue(keys[i], out var g)) groups[keys[i]] = g = [];
            g.Add(i);
        }
        return keys.Select(k => (IReadOnlyCollection<int>)groups[k].ToHashSet()).ToList();
    }

    /// <summary>The transpose of a score matrix (text→image scores from image→text ones).</summary>
    public static IReadOnlyList<IReadOnlyList<double>> Transpose(IReadOnlyList<IReadOnlyList<double>> scores)
    {
        int rows = scores.Count, cols = rows == 0 ? 0 : scores[0].Count;
        return Enumerable.Range(0, cols).Select(c => (IReadOnlyList<double>)Enumerable.Range(0, rows).Select(r => scores[r][c]).ToArray()).ToList();
    }
}

/// <summary>Recall at 1, 5 and 10.</summary>
public sealed record RecallAtK(double R1, double R5, double R10);

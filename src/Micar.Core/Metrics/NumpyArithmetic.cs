namespace Micar.Metrics;

/// <summary>
/// numpy's float64 reductions where the upstream code uses them: <c>np.mean</c> (pairwise summation with an
/// 8-way unrolled base case of at most 128 elements) and <c>np.percentile</c> with the default linear method.
/// Reproducing them keeps parity at the last bit rather than at 1e-15.
/// </summary>
internal static class NumpyArithmetic
{
    private const int BlockSize = 128;

    /// <summary><c>np.mean(values)</c>: the pairwise sum divided by the count.</summary>
    public static double Mean(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) throw new ArgumentException("the mean of no values is undefined.", nameof(values));
        var array = values as double[] ?? [.. values];
        return PairwiseSum(array) / array.Length;
    }

    /// <summary>numpy's <c>pairwise_sum</c> for contiguous float64 data.</summary>
    public static double PairwiseSum(ReadOnlySpan<double> a)
    {
        int n = a.Length;
        if (n < 8)
        {
            double sum = 0.0;
            for (int i = 0; i < n; i++) sum += a[i];
            return sum;
        }
        if (n <= BlockSize)
        {
            Span<double> r = stackalloc double[8];
            a[..8].CopyTo(r);
            int i = 8;
            for (; i < n - n % 8; i += 8)
            {
                for (int j = 0; j < 8; j++) r[j] += a[i + j];
            }
            double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++) res += a[i];
            return res;
        }
        int half = n / 2;
        half -= half % 8;
        return PairwiseSum(a[..half]) + PairwiseSum(a[half..]);
    }

    /// <summary>
    /// <c>np.percentile(values, q)</c>, method "linear": sort, index h = (n − 1)·q/100, and numpy's
    /// <c>_lerp</c>, which evaluates b − (b − a)·(1 − t) when the fraction t ≥ 0.5 and a + (b − a)·t otherwise.
    /// </summary>
    public static double PercentileLinear(IReadOnlyList<double> values, double q)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) throw new ArgumentException("the percentile of no values is undefined.", nameof(values));
        var sorted = values.ToArray();
        Array.Sort(sorted);
        double h = (sorted.Length - 1) * (q / 100.0);
        int below = (int)Math.Floor(h);
        int above = Math.Min(below + 1, sorted.Length - 1);
        double t = h - below;
        double a = sorted[below], b = sorted[above];
        double diff = b - a;
        return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
    }
}

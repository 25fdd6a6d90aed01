namespace Micar.Data;

/// <summary>
/// scikit-learn's <c>train_test_split(rows, test_size=q, shuffle=True, random_state=seed)</c> on row indices:
/// <c>n_test = ceil(q·n)</c> (IEEE double product), <c>perm = RandomState(seed).permutation(n)</c>,
/// test = <c>perm[0:n_test]</c>, train = <c>perm[n_test:n]</c>.
/// </summary>
public static class TrainTestSplit
{
    /// <summary>The number of test rows scikit-learn takes for a float <paramref name="testSize"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="testSize"/> is not strictly between 0 and 1.</exception>
    public static int TestCount(int n, double testSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (!(testSize > 0.0 && testSize < 1.0))
            throw new ArgumentOutOfRangeException(nameof(testSize), testSize, "test_size must be a float in the range (0.0, 1.0)");
        return (int)Math.Ceiling(testSize * n);
    }

    /// <summary>Splits <c>0 … n−1</c> as scikit-learn does.</summary>
    /// <exception cref="ArgumentException">n is 0 or the training part would be empty (scikit-learn raises
    /// <c>ValueError</c> in both cases).</exception>
    public static TwoWaySplit Split(int n, double testSize, uint seed)
    {
        int nTest = TestCount(n, testSize);
        int nTrain = n - nTest;
        if (n == 0)
            throw new ArgumentException("cannot split 0 rows (scikit-learn: 'With n_samples=0 ... the resulting train set will be empty')", nameof(n));
        if (nTrain <= 0)
            throw new ArgumentException($"With n_samples={n}, test_size={testSize} the resulting train set will be empty", nameof(n));
        var perm = new NumpyRandomState(seed).Permutation(n);
        return new TwoWaySplit(perm[nTest..], perm[..nTest]);
    }

    /// <summary>Applies <see cref="Split(int, double, uint)"/> to the rows of <paramref name="items"/>.</summary>
    public static (List<T> Train, List<T> Test) Split<T>(IReadOnlyList<T> items, double testSize, uint seed)
    {
        ArgumentNullException.ThrowIfNull(items);
        var s = Split(items.Count, testSize, seed);
        return (s.Train.Select(i => items[i]).ToList(), s.Test.Select(i => items[i]).ToList());
    }
}

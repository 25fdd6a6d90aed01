namespace Micar.Metrics;

/// <summary>Length of the longest common subsequence of two token lists (ordinal token equality).</summary>
public static class LongestCommonSubsequence
{
    /// <summary>The LCS length, by the standard dynamic programme in O(|a|·|b|) time and O(|b|) memory.</summary>
    public static int Length(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count == 0 || b.Count == 0) return 0;
        var previous = new int[b.Count + 1];
        var current = new int[b.Count + 1];
        for (int i = 1; i <= a.Count; i++)
        {
            string x = a[i - 1];
            for (int j = 1; j <= b.Count; j++)
            {
                current[j] = string.Equals(x, b[j - 1], StringComparison.Ordinal)
                    ? previous[j - 1] + 1
                    : Math.Max(previous[j], current[j - 1]);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Count];
    }
}

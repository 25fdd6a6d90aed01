using Micar.Metrics;
using Xunit;

namespace Micar.Tests.Metrics;

/// <summary>The bit-parallel LCS against the textbook O(n·m) table.</summary>
public sealed class LongestCommonSubsequenceTests
{
    private static int Table(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        var t = new int[a.Count + 1, b.Count + 1];
        for (int i = 1; i <= a.Count; i++)
            for (int j = 1; j <= b.Count; j++)
                t[i, j] = a[i - 1] == b[j - 1] ? t[i - 1, j - 1] + 1 : Math.Max(t[i - 1, j], t[i, j - 1]);
        return t[a.Count, b.Count];
    }

    [Theory]
    [InlineData(1, 1, 2)]
    [InlineData(63, 64, 3)]
    [InlineData(64, 65, 2)]
    [InlineData(65, 63, 5)]
    [InlineData(130, 200, 4)]
    [InlineData(300, 129, 30)]
    [InlineData(257, 257, 1)]
    public void Equals_the_dynamic_programme_across_word_boundaries(int n, int m, int vocabulary)
    {
        var random = new Random(n * 1000 + m + vocabulary);
        for (int trial = 0; trial < 20; trial++)
        {
            var a = Enumerable.Range(0, n).Select(_ => $"t{random.Next(vocabulary)}").ToArray();
            var b = Enumerable.Range(0, m).Select(_ => $"t{random.Next(vocabulary)}").ToArray();
            int expected = Table(a, b);
            Assert.Equal(expected, LongestCommonSubsequence.Length(a, b));
            Assert.Equal(expected, LongestCommonSubsequence.Length(b, a));
        }
    }

    [Fact]
    public void Edge_cases()
    {
        Assert.Equal(0, LongestCommonSubsequence.Length([], ["a"]));
        Assert.Equal(0, LongestCommonSubsequence.Length(["a"], []));
        Assert.Equal(0, LongestCommonSubsequence.Length(["a", "b"], ["c", "d"]));
        Assert.Equal(3, LongestCommonSubsequence.Length(["", "", ""], ["", "", "", ""])); // coco's empty tokens
        Assert.Equal(1, LongestCommonSubsequence.Length(["A"], ["a", "A"])); // ordinal
        var same = Enumerable.Range(0, 200).Select(i => $"w{i}").ToArray();
        Assert.Equal(200, LongestCommonSubsequence.Length(same, same));
        Assert.Equal(1, LongestCommonSubsequence.Length(same, same.Reverse().ToArray()));
    }
}

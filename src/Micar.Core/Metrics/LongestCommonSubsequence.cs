using System.Numerics;

namespace Micar.Metrics;

/// <summary>Length of the longest common subsequence of two token lists (ordinal token equality).</summary>
public static class LongestCommonSubsequence
{
    /// <summary>
    /// The LCS length, by Hyyrö's bit-parallel form of the standard dynamic programme (one bit per token of the
    /// shorter list, 64 per machine word): O(|a|·|b|/64) time and O(min(|a|, |b|)) memory. The result equals the
    /// textbook O(|a|·|b|) table's exactly; rows of the longer list whose token does not occur in the shorter one
    /// cost nothing.
    /// </summary>
    public static int Length(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count == 0 || b.Count == 0) return 0;
        if (a.Count > b.Count) (a, b) = (b, a);

        // The positions of each distinct token of `a`, as linked lists: first[id] → next[position] → … → −1.
        int m = a.Count;
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var first = new List<int>();
        var next = new int[m];
        for (int i = 0; i < m; i++)
        {
            if (!ids.TryGetValue(a[i], out int id))
            {
                id = first.Count;
                ids.Add(a[i], id);
                first.Add(-1);
            }
            next[i] = first[id];
            first[id] = i;
        }

        // V starts all ones; each token y of `b` does V ← (V + (V & M_y)) | (V & ~M_y), M_y the positions of y in
        // `a`; the LCS length is the number of zero bits. Bits above m stay one (their mask bits are zero).
        int words = (m + 63) >> 6;
        var v = new ulong[words];
        Array.Fill(v, ulong.MaxValue);
        var mask = new ulong[words];
        foreach (var y in b)
        {
            if (!ids.TryGetValue(y, out int id)) continue; // M_y = 0 leaves V unchanged
            int lowest = int.MaxValue;
            for (int p = first[id]; p >= 0; p = next[p])
            {
                mask[p >> 6] |= 1UL << (p & 63);
                lowest = p; // the lists run from the last position down
            }
            ulong carry = 0;
            for (int k = lowest >> 6; k < words; k++) // words below the lowest match neither change nor carry
            {
                ulong vk = v[k], mk = mask[k];
                ulong sum = vk + (vk & mk);
                ulong carryOut = sum < vk ? 1UL : 0UL;
                ulong total = sum + carry;
                if (total < sum) carryOut = 1UL;
                v[k] = total | (vk & ~mk);
                carry = carryOut;
                mask[k] = 0;
            }
        }
        int ones = 0;
        foreach (ulong w in v) ones += BitOperations.PopCount(w);
        return words * 64 - ones;
    }
}

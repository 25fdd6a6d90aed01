namespace Micar.Data.Loading;

/// <summary>
/// The seeds <see cref="CaptionLoader"/> derives from its one configured seed, so that an epoch's order and
/// every row's augmentation can be reproduced outside the loader.
/// </summary>
/// <remarks>
/// Both use SplitMix64's finaliser <c>mix</c> (Steele, Lea and Flood, 2014) and keep the low 31 bits of the
/// result: <c>Shuffle(seed, epoch) = mix(mix(seed) + epoch) mod 2³¹</c> and
/// <c>Row(seed, epoch, row) = mix(mix(mix(seed) + epoch) + row + 2³²) mod 2³¹</c>, with seed, epoch and row
/// reinterpreted as unsigned. Unlike <c>seed + epoch</c>, distinct (seed, epoch) pairs do not share an order.
/// The values seed <see cref="System.Random(int)"/>, whose sequence for a given seed is fixed across .NET
/// versions.
/// </remarks>
public static class LoaderSeed
{
    /// <summary>The seed of epoch <paramref name="epoch"/>'s permutation of the dataset.</summary>
    public static int Shuffle(int seed, int epoch) => Low31(EpochState(seed, epoch));

    /// <summary>The seed of the <see cref="Random"/> that augments dataset row <paramref name="row"/> in epoch <paramref name="epoch"/>.</summary>
    public static int Row(int seed, int epoch, int row) => Low31(Mix(EpochState(seed, epoch) + (uint)row + (1UL << 32)));

    /// <summary>
    /// The order of epoch <paramref name="epoch"/>: a Fisher–Yates shuffle of <c>0 … count−1</c> driven by
    /// <c>new Random(Shuffle(seed, epoch))</c> (for i from count−1 down to 1, swap i with <c>Next(i + 1)</c>).
    /// </summary>
    public static int[] Permutation(int count, int seed, int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var order = new int[count];
        for (var i = 0; i < count; i++)
            order[i] = i;
        var random = new Random(Shuffle(seed, epoch));
        for (var i = count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    private static ulong EpochState(int seed, int epoch) => Mix(Mix((uint)seed) + (uint)epoch);

    private static int Low31(ulong value) => (int)(value & int.MaxValue);

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>
    /// Rank <paramref name="rank"/>'s share of an epoch's <paramref name="order"/> among <paramref name="count"/> processes,
    /// as PyTorch's <c>DistributedSampler</c> deals it: the order is padded to a multiple of <paramref name="count"/> by
    /// repeating its beginning, then rank r takes positions r, r + count, r + 2·count, … So batch s of every rank together
    /// hold positions s·count·b … (s+1)·count·b − 1 of the order: the rows of batch s of one process with batch count·b
    /// (when the count of rows is a multiple of count·b; otherwise the last batch repeats a few rows).
    /// </summary>
    public static int[] Shard(int[] order, int rank, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (rank < 0 || rank >= count) throw new ArgumentOutOfRangeException(nameof(rank), rank, $"rank must lie in 0..{count - 1}");
        if (order.Length == 0) return [];
        int length = (order.Length + count - 1) / count;
        var shard = new int[length];
        for (int i = 0; i < length; i++) shard[i] = order[(rank + i * count) % order.Length];
        return shard;
    }
}

namespace Micar.Data.Synthetic;

/// <summary>
/// The synthetic generator's own pseudo-random source: xoshiro256** seeded through SplitMix64. Its output is
/// fixed by this code alone (not by the .NET version), so a seed reproduces the same dataset everywhere.
/// </summary>
/// <remarks>Not thread-safe; each image gets its own instance (see <see cref="Derive"/>).</remarks>
public sealed class SynthRandom
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Creates a generator whose whole state is derived from <paramref name="seed"/>.</summary>
    public SynthRandom(ulong seed)
    {
        var x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    /// <summary>Creates a generator from a raw xoshiro256 state (not all zero); used to check the algorithm.</summary>
    public static SynthRandom FromState(ulong s0, ulong s1, ulong s2, ulong s3)
    {
        if ((s0 | s1 | s2 | s3) == 0)
        {
            throw new ArgumentException("xoshiro256 state must not be all zero.", nameof(s0));
        }

        var r = new SynthRandom(0);
        (r._s0, r._s1, r._s2, r._s3) = (s0, s1, s2, s3);
        return r;
    }

    /// <summary>One SplitMix64 step: advances <paramref name="x"/> and returns the mixed output.</summary>
    public static ulong SplitMix(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        var z = x;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>
    /// Derives an independent 64-bit seed for item <paramref name="index"/> of stream <paramref name="stream"/>
    /// from a parent seed, so that parallel generation does not depend on thread scheduling.
    /// </summary>
    public static ulong Derive(ulong seed, ulong stream, ulong index)
    {
        var x = seed ^ 0x6A09E667F3BCC909UL;
        var a = SplitMix(ref x);
        x = a ^ (stream * 0xBB67AE8584CAA73BUL);
        var b = SplitMix(ref x);
        x = b ^ (index * 0x3C6EF372FE94F82BUL);
        return SplitMix(ref x);
    }

    /// <summary>Next 64 uniformly distributed bits.</summary>
    public ulong NextUInt64()
    {
        var result = RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform double in [<paramref name="min"/>, <paramref name="max"/>).</summary>
    public double Uniform(double min, double max) => min + (max - min) * NextDouble();

    /// <summary>Uniform integer in [0, <paramref name="count"/>) (unbiased, by rejection).</summary>
    public int Next(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var bound = (ulong)count;
        var limit = ulong.MaxValue - ulong.MaxValue % bound;
        ulong r;
        do
        {
            r = NextUInt64();
        }
        while (r >= limit);
        return (int)(r % bound);
    }

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool Chance(double p) => NextDouble() < p;

    /// <summary>Index drawn with probability proportional to <paramref name="weights"/> (non-negative, not all zero).</summary>
    public int Pick(ReadOnlySpan<double> weights)
    {
        double total = 0;
        foreach (var w in weights)
        {
            total += w;
        }

        var r = NextDouble() * total;
        for (var i = 0; i < weights.Length; i++)
        {
            r -= weights[i];
            if (r < 0 && weights[i] > 0)
            {
                return i;
            }
        }

        for (var i = weights.Length - 1; i >= 0; i--)
        {
            if (weights[i] > 0)
            {
                return i;
            }
        }

        throw new ArgumentException("Pick: all weights are zero.", nameof(weights));
    }

    /// <summary>Approximately standard normal value (sum of four uniforms, rescaled; tails cut at ±3.46).</summary>
    public double NextNormal()
    {
        var s = NextDouble() + NextDouble() + NextDouble() + NextDouble();
        return (s - 2.0) * 1.7320508075688772; // variance of the sum is 4/12
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}

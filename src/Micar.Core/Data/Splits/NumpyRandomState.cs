namespace Micar.Data;

/// <summary>
/// The part of NumPy's legacy <c>numpy.random.RandomState</c> that scikit-learn's shuffling uses: the MT19937
/// generator seeded with a 32-bit integer (<c>init_genrand</c>, not <c>init_by_array</c>) and
/// <c>permutation(n)</c>.
/// </summary>
public sealed class NumpyRandomState
{
    private const int N = 624;
    private const int M = 397;
    private const uint MatrixA = 0x9908B0DFu;
    private const uint UpperMask = 0x80000000u;
    private const uint LowerMask = 0x7FFFFFFFu;

    private readonly uint[] _state = new uint[N];
    private int _position;

    /// <summary>Seeds like <c>RandomState(seed)</c> with an integer seed in [0, 2³²−1].</summary>
    public NumpyRandomState(uint seed)
    {
        _state[0] = seed;
        for (int i = 1; i < N; i++)
            _state[i] = unchecked(1812433253u * (_state[i - 1] ^ (_state[i - 1] >> 30)) + (uint)i);
        _position = N;
    }

    /// <summary>Seeds like <c>RandomState(seed)</c>; NumPy rejects seeds outside [0, 2³²−1] and so does this.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The seed is negative or above 2³²−1.</exception>
    public static NumpyRandomState FromSeed(long seed)
    {
        if (seed < 0 || seed > uint.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(seed), seed, "Seed must be between 0 and 2**32 - 1");
        return new NumpyRandomState((uint)seed);
    }

    /// <summary>The next 32-bit output of MT19937 (tempered).</summary>
    public uint NextUInt32()
    {
        if (_position >= N) Twist();
        uint y = _state[_position++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9D2C5680u;
        y ^= (y << 15) & 0xEFC60000u;
        y ^= y >> 18;
        return y;
    }

    /// <summary>
    /// NumPy's bounded integer in [0, <paramref name="max"/>] for the legacy shuffle (<c>random_interval</c>):
    /// mask = smallest 2^m−1 ≥ max, draw 32-bit outputs until <c>(r &amp; mask) ≤ max</c>.
    /// </summary>
    public uint NextInterval(uint max)
    {
        if (max == 0) return 0;
        uint mask = max;
        mask |= mask >> 1;
        mask |= mask >> 2;
        mask |= mask >> 4;
        mask |= mask >> 8;
        mask |= mask >> 16;
        uint value;
        while ((value = NextUInt32() & mask) > max) { }
        return value;
    }

    /// <summary><c>RandomState.permutation(n)</c>: <c>arange(n)</c> shuffled in place by Fisher–Yates from the
    /// last position down to 1.</summary>
    public int[] Permutation(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        var a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        for (int i = n - 1; i >= 1; i--)
        {
            int j = (int)NextInterval((uint)i);
            (a[i], a[j]) = (a[j], a[i]);
        }
        return a;
    }

    private void Twist()
    {
        for (int i = 0; i < N; i++)
        {
            uint y = (_state[i] & UpperMask) | (_state[(i + 1) % N] & LowerMask);
            uint next = _state[(i + M) % N] ^ (y >> 1);
            if ((y & 1u) != 0) next ^= MatrixA;
            _state[i] = next;
        }
        _position = 0;
    }
}

namespace Micar.Metrics;

/// <summary>
/// numpy's legacy global generator (<c>np.random.seed(S)</c>, MT19937) and the masked bounded integer draw
/// behind <c>np.random.choice(n, size)</c> / <c>randint(0, n)</c> (<c>metrics.md</c> §3.4).
/// </summary>
internal sealed class NumpyLegacyRandom
{
    private const int StateLength = 624;
    private const int Period = 397;
    private readonly uint[] state = new uint[StateLength];
    private int position;

    /// <summary>Seeds as <c>np.random.seed(seed)</c> does (MT19937 init_genrand).</summary>
    public NumpyLegacyRandom(uint seed)
    {
        state[0] = seed;
        for (int i = 1; i < StateLength; i++)
            state[i] = unchecked(1812433253u * (state[i - 1] ^ (state[i - 1] >> 30)) + (uint)i);
        position = StateLength;
    }

    /// <summary>The next 32-bit MT19937 output.</summary>
    public uint NextUInt32()
    {
        if (position >= StateLength) Twist();
        uint y = state[position++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9D2C5680u;
        y ^= (y << 15) & 0xEFC60000u;
        y ^= y >> 18;
        return y;
    }

    /// <summary>
    /// A uniform integer in [0, <paramref name="count"/>) by numpy's masked rejection: with rng = count − 1 and
    /// mask the smallest 2ᵏ − 1 ≥ rng, draw (output AND mask) until it is ≤ rng. Nothing is drawn when count is 1.
    /// </summary>
    public uint BoundedInt(uint count)
    {
        ArgumentOutOfRangeException.ThrowIfZero(count);
        uint rng = count - 1;
        if (rng == 0) return 0;
        uint mask = rng;
        mask |= mask >> 1;
        mask |= mask >> 2;
        mask |= mask >> 4;
        mask |= mask >> 8;
        mask |= mask >> 16;
        uint value;
        do value = NextUInt32() & mask;
        while (value > rng);
        return value;
    }

    private void Twist()
    {
        const uint upper = 0x80000000u, lower = 0x7FFFFFFFu, matrix = 0x9908B0DFu;
        for (int i = 0; i < StateLength; i++)
        {
            uint y = (state[i] & upper) | (state[(i + 1) % StateLength] & lower);
            uint next = state[(i + Period) % StateLength] ^ (y >> 1);
            state[i] = (y & 1) != 0 ? next ^ matrix : next;
        }
        position = 0;
    }
}

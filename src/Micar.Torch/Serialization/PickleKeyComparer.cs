using System.Numerics;

namespace Micar.Torch.Serialization;

/// <summary>Python's equality and hashing for the values that can be dict keys in a pickle.</summary>
internal sealed class PickleKeyComparer : IEqualityComparer<object?>
{
    /// <summary>The single instance.</summary>
    public static readonly PickleKeyComparer Instance = new();

    /// <summary>Stands for Python's None as a dictionary key (Dictionary does not accept null keys).</summary>
    private static readonly object NoneKey = new();

    /// <summary>Replaces null by a sentinel so that None can be a key of a .NET dictionary.</summary>
    public static object Wrap(object? key) => key ?? NoneKey;

    /// <inheritdoc />
    public new bool Equals(object? x, object? y)
    {
        if (x == NoneKey) x = null;
        if (y == NoneKey) y = null;
        if (x is null || y is null) return x is null && y is null;
        if (IsNumber(x) && IsNumber(y)) return NumbersEqual(x, y);
        return (x, y) switch
        {
            (string s, string t) => string.Equals(s, t, StringComparison.Ordinal),
            (byte[] s, byte[] t) => s.AsSpan().SequenceEqual(t),
            (PickleTuple s, PickleTuple t) => s.Equals(t),
            _ => ReferenceEquals(x, y),
        };
    }

    /// <inheritdoc />
    public int GetHashCode(object? obj)
    {
        if (obj is null || obj == NoneKey) return 0;
        if (IsNumber(obj)) return NumberHash(obj);
        return obj switch
        {
            string s => StringComparer.Ordinal.GetHashCode(s),
            byte[] b => b.Length,
            PickleTuple t => t.GetHashCode(),
            _ => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj),
        };
    }

    private static bool IsNumber(object o) => o is bool or long or double or BigInteger;

    private static BigInteger? AsInteger(object o) => o switch
    {
        bool b => b ? BigInteger.One : BigInteger.Zero,
        long l => l,
        BigInteger i => i,
        double d when double.IsFinite(d) && Math.Floor(d) == d => new BigInteger(d),
        _ => null,
    };

    /// <summary>Numbers compare by value across bool, int and float, as in Python.</summary>
    private static bool NumbersEqual(object x, object y)
    {
        if (x is double dx && y is double dy) return dx == dy;
        var (ix, iy) = (AsInteger(x), AsInteger(y));
        return ix is not null && iy is not null && ix.Value == iy.Value;
    }

    /// <summary>Equal numbers hash alike: integral values hash as integers, others as doubles.</summary>
    private static int NumberHash(object o) => AsInteger(o) is { } i ? i.GetHashCode() : o.GetHashCode();
}

using System.Globalization;

namespace Micar.Layers;

/// <summary>
/// A tensor shape: an immutable list of dimension sizes with value equality. Printed as PyTorch lists are
/// written in the reference TSVs: <c>[1, 49, 2048]</c>, and <c>[]</c> for a scalar.
/// </summary>
public sealed class Shape : IEquatable<Shape>, IReadOnlyList<long>
{
    private readonly long[] _dims;

    /// <summary>Creates a shape from its dimension sizes (outermost first).</summary>
    /// <exception cref="ArgumentException">A dimension is negative.</exception>
    public Shape(params ReadOnlySpan<long> dims)
    {
        foreach (var d in dims)
            if (d < 0) throw new ArgumentException($"Shape dimension {d} is negative.", nameof(dims));
        _dims = dims.ToArray();
    }

    /// <summary>The shape of a scalar (rank 0, one element).</summary>
    public static Shape Scalar { get; } = new();

    /// <summary>Number of dimensions.</summary>
    public int Rank => _dims.Length;

    /// <inheritdoc/>
    public int Count => _dims.Length;

    /// <summary>Size of dimension <paramref name="axis"/>; negative axes count from the end (<c>-1</c> = last).</summary>
    public long this[int axis] => _dims[axis < 0 ? axis + _dims.Length : axis];

    /// <summary>Number of elements (1 for a scalar).</summary>
    public long Numel
    {
        get
        {
            long n = 1;
            foreach (var d in _dims) n = checked(n * d);
            return n;
        }
    }

    /// <summary>Size of the last dimension.</summary>
    public long Last => _dims[^1];

    /// <summary>A copy with the last dimension replaced.</summary>
    public Shape WithLast(long size)
    {
        var d = (long[])_dims.Clone();
        d[^1] = size;
        return new Shape(d);
    }

    /// <summary>A copy with dimension <paramref name="axis"/> replaced (negative axes count from the end).</summary>
    public Shape With(int axis, long size)
    {
        var d = (long[])_dims.Clone();
        d[axis < 0 ? axis + d.Length : axis] = size;
        return new Shape(d);
    }

    /// <summary>The dimensions as a new array.</summary>
    public long[] ToArray() => (long[])_dims.Clone();

    /// <summary>Parses the printed form, e.g. <c>[64, 3, 7, 7]</c> or <c>[]</c>.</summary>
    /// <exception cref="FormatException">The text is not a bracketed, comma-separated list of non-negative integers.</exception>
    public static Shape Parse(string text)
    {
        var t = text.Trim();
        if (t.Length < 2 || t[0] != '[' || t[^1] != ']')
            throw new FormatException($"Shape '{text}' is not written as [d0, d1, ...].");
        var body = t[1..^1].Trim();
        if (body.Length == 0) return Scalar;
        var parts = body.Split(',');
        var dims = new long[parts.Length];
        for (var i = 0; i < parts.Length; i++)
            if (!long.TryParse(parts[i].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out dims[i]))
                throw new FormatException($"Shape '{text}': dimension {i} '{parts[i].Trim()}' is not a non-negative integer.");
        return new Shape(dims);
    }

    /// <inheritdoc/>
    public bool Equals(Shape? other) => other is not null && _dims.AsSpan().SequenceEqual(other._dims);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Shape);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var d in _dims) h.Add(d);
        return h.ToHashCode();
    }

    /// <summary>Value equality.</summary>
    public static bool operator ==(Shape? a, Shape? b) => a?.Equals(b) ?? b is null;

    /// <summary>Value inequality.</summary>
    public static bool operator !=(Shape? a, Shape? b) => !(a == b);

    /// <inheritdoc/>
    public IEnumerator<long> GetEnumerator() => ((IEnumerable<long>)_dims).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The bracketed form, e.g. <c>[1, 49, 2048]</c>.</summary>
    public override string ToString() =>
        "[" + string.Join(", ", _dims.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";
}

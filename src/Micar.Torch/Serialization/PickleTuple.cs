namespace Micar.Torch.Serialization;

/// <summary>An immutable Python tuple from a pickle. Equality is element-wise, as in Python.</summary>
public sealed class PickleTuple : IEquatable<PickleTuple>
{
    private readonly object?[] _items;

    /// <summary>Creates a tuple holding the given items (copied).</summary>
    /// <param name="items">The elements.</param>
    public PickleTuple(IEnumerable<object?> items) => _items = items.ToArray();

    /// <summary>The empty tuple.</summary>
    public static PickleTuple Empty { get; } = new([]);

    /// <summary>The elements.</summary>
    public IReadOnlyList<object?> Items => _items;

    /// <summary>Number of elements.</summary>
    public int Count => _items.Length;

    /// <summary>The element at an index.</summary>
    /// <param name="index">Zero-based index.</param>
    public object? this[int index] => _items[index];

    /// <inheritdoc />
    public bool Equals(PickleTuple? other) =>
        other is not null && other._items.Length == _items.Length
        && _items.Zip(other._items).All(p => PickleKeyComparer.Instance.Equals(p.First, p.Second));

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is PickleTuple t && Equals(t);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var item in _items) h.Add(PickleKeyComparer.Instance.GetHashCode(item));
        return h.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() =>
        _items.Length == 1 ? $"({PickleFormatting.Describe(_items[0])},)" : $"({string.Join(", ", _items.Select(PickleFormatting.Describe))})";
}

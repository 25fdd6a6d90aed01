namespace Micar.Torch.Serialization;

/// <summary>
/// A Python <c>dict</c> or <c>collections.OrderedDict</c> from a pickle, keeping insertion order (setting an
/// existing key replaces its value in place, as in Python).
/// </summary>
public sealed class PickleDict
{
    private readonly List<KeyValuePair<object?, object?>> _entries = [];
    private readonly Dictionary<object, int> _index = new(PickleKeyComparer.Instance);

    /// <summary>Creates an empty dict.</summary>
    /// <param name="isOrderedDict">True for a <c>collections.OrderedDict</c>.</param>
    public PickleDict(bool isOrderedDict = false) => IsOrderedDict = isOrderedDict;

    /// <summary>True for a <c>collections.OrderedDict</c> (e.g. a module's state dict), false for a plain dict.</summary>
    public bool IsOrderedDict { get; }

    /// <summary>
    /// Instance attributes set by a <c>BUILD</c> opcode, e.g. the <c>_metadata</c> of a state dict; null if none.
    /// </summary>
    public PickleDict? Attributes { get; internal set; }

    /// <summary>The entries in insertion order.</summary>
    public IReadOnlyList<KeyValuePair<object?, object?>> Entries => _entries;

    /// <summary>Number of entries.</summary>
    public int Count => _entries.Count;

    /// <summary>The keys in insertion order.</summary>
    public IEnumerable<object?> Keys => _entries.Select(e => e.Key);

    /// <summary>Looks a key up with Python's equality (<c>1 == 1.0 == True</c>, tuples element-wise).</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value if found.</param>
    public bool TryGetValue(object? key, out object? value)
    {
        if (_index.TryGetValue(PickleKeyComparer.Wrap(key), out var i))
        {
            value = _entries[i].Value;
            return true;
        }
        value = null;
        return false;
    }

    /// <summary>Sets a key (appended if new, replaced in place otherwise).</summary>
    /// <param name="key">A hashable key: None, bool, int, float, str, bytes or a tuple of those.</param>
    /// <param name="value">The value.</param>
    public void Set(object? key, object? value)
    {
        var wrapped = PickleKeyComparer.Wrap(key);
        if (_index.TryGetValue(wrapped, out var i))
        {
            _entries[i] = new(_entries[i].Key, value);
        }
        else
        {
            _index.Add(wrapped, _entries.Count);
            _entries.Add(new(key, value));
        }
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{(IsOrderedDict ? "OrderedDict" : "dict")} with {Count} entries";
}

using System.Collections;
using System.Collections.Immutable;

namespace Micar.Data.Synthetic;

/// <summary>
/// The findings of one image (a multiset, kept in canonical order). Two sets are equal when they hold the same
/// findings. Compact code: the findings' codes joined by <c>;</c>, or <c>normal</c> when empty — the
/// <c>ground_truth</c> column of the synthetic dataset's CSV files.
/// </summary>
public sealed class FindingSet : IReadOnlyList<Finding>, IEquatable<FindingSet>
{
    /// <summary>Code of the empty set.</summary>
    public const string NormalCode = "normal";

    private readonly ImmutableArray<Finding> _items;

    /// <summary>Creates a set from findings in any order.</summary>
    public FindingSet(IEnumerable<Finding> findings)
    {
        ArgumentNullException.ThrowIfNull(findings);
        var builder = findings.ToImmutableArray().ToBuilder();
        builder.Sort();
        _items = builder.ToImmutable();
    }

    /// <summary>The empty set (a normal study).</summary>
    public static FindingSet Empty { get; } = new([]);

    /// <summary>True when there is no finding.</summary>
    public bool IsNormal => _items.Length == 0;

    /// <inheritdoc/>
    public int Count => _items.Length;

    /// <inheritdoc/>
    public Finding this[int index] => _items[index];

    /// <summary>The compact code, e.g. <c>ggo:left:lower:subpleural:large:ill;nodule:right:upper:central:small:well</c>.</summary>
    public string ToCode() => IsNormal ? NormalCode : string.Join(';', _items.Select(f => f.ToCode()));

    /// <inheritdoc/>
    public override string ToString() => ToCode();

    /// <summary>Parses a code written by <see cref="ToCode"/>.</summary>
    /// <exception cref="FormatException">A finding code is malformed (the message names it).</exception>
    public static FindingSet Parse(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        var trimmed = code.Trim();
        if (trimmed == NormalCode)
        {
            return Empty;
        }

        if (trimmed.Length == 0)
        {
            throw new FormatException("Finding set code is empty (a normal study is written 'normal').");
        }

        return new FindingSet(trimmed.Split(';').Select(Finding.Parse));
    }

    /// <inheritdoc/>
    public IEnumerator<Finding> GetEnumerator() => ((IEnumerable<Finding>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc/>
    public bool Equals(FindingSet? other) => other is not null && _items.SequenceEqual(other._items);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as FindingSet);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var f in _items)
        {
            hash.Add(f);
        }

        return hash.ToHashCode();
    }
}

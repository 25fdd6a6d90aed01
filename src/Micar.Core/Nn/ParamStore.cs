using Micar.Torch;

namespace Micar.Nn;

/// <summary>
/// The parameters and buffers of a model, apart from its description: an ordered map from official
/// <c>state_dict</c> keys (e.g. <c>decoder.layers.0.moe.gate.gate.weight</c>) to tensors. The store owns its
/// tensors (they belong to no <see cref="DisposeScope"/>) and releases them when disposed.
/// </summary>
public sealed class ParamStore : IDisposable
{
    readonly List<string> _order = new();
    readonly Dictionary<string, Tensor> _tensors = new(StringComparer.Ordinal);
    readonly HashSet<string> _trainable = new(StringComparer.Ordinal);

    /// <summary>Keys in insertion (state-dict) order.</summary>
    public IReadOnlyList<string> Keys => _order;

    /// <summary>Number of entries.</summary>
    public int Count => _order.Count;

    /// <summary>The tensor stored under <paramref name="key"/>; a missing key is an error naming it.</summary>
    public Tensor this[string key] =>
        _tensors.TryGetValue(key, out var t) ? t : throw new KeyNotFoundException($"parameter '{key}' is not in the store");

    /// <summary>True when the key exists.</summary>
    public bool Contains(string key) => _tensors.ContainsKey(key);

    /// <summary>Adds (or replaces) an entry; the store takes ownership of the tensor.</summary>
    public void Set(string key, Tensor value, bool trainable)
    {
        value.DetachFromScope();
        if (_tensors.TryGetValue(key, out var old))
        {
            if (!ReferenceEquals(old, value)) old.Dispose();
        }
        else _order.Add(key);
        _tensors[key] = value;
        if (trainable) _trainable.Add(key); else _trainable.Remove(key);
    }

    /// <summary>True for entries that receive gradients (not buffers, not frozen parameters).</summary>
    public bool IsTrainable(string key) => _trainable.Contains(key);

    /// <summary>Trainable parameters with their keys, in order.</summary>
    public IEnumerable<(string Key, Tensor Value)> Trainable() =>
        _order.Where(_trainable.Contains).Select(k => (k, _tensors[k]));

    /// <summary>Every entry with its key, in order.</summary>
    public IEnumerable<(string Key, Tensor Value)> Entries() => _order.Select(k => (k, _tensors[k]));

    /// <summary>A view whose keys are prefixed with <paramref name="prefix"/> + '.'.</summary>
    public ParamView View(string prefix) => new(this, prefix);

    /// <summary>Releases every tensor.</summary>
    public void Dispose()
    {
        foreach (var t in _tensors.Values) t.Dispose();
        _tensors.Clear();
        _order.Clear();
        _trainable.Clear();
    }
}

/// <summary>A prefix into a <see cref="ParamStore"/>: <c>view["wo.weight"]</c> reads <c>&lt;prefix&gt;.wo.weight</c>.
/// Nested scopes compose names the way PyTorch module paths do.</summary>
public readonly record struct ParamView(ParamStore Store, string Prefix)
{
    /// <summary>The full key of a local name.</summary>
    public string Key(string name) => Prefix.Length == 0 ? name : $"{Prefix}.{name}";

    /// <summary>The tensor under the local name.</summary>
    public Tensor this[string name] => Store[Key(name)];

    /// <summary>The tensor under the local name, or null when absent.</summary>
    public Tensor? Optional(string name) => Store.Contains(Key(name)) ? Store[Key(name)] : null;

    /// <summary>A nested view (<c>view.At("layers.0")</c>).</summary>
    public ParamView At(string child) => new(Store, Key(child));
}

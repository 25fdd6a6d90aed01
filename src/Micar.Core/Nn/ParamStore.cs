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
    readonly Dictionary<string, DerivedEntry> _derived = new(StringComparer.Ordinal);

    /// <summary>A tensor computed from entries of the store, and what it was computed from.</summary>
    sealed record DerivedEntry(Tensor[] Sources, long[] Versions, Tensor Value);

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

    /// <summary>
    /// A tensor computed from tensors of this store (e.g. convolution weights in the form an inference kernel reads),
    /// made by <paramref name="compute"/> (without gradient) on first use and then returned again while its sources are
    /// unchanged: the same tensor objects (none replaced through <see cref="Set"/>) at the same version counters (no
    /// in-place change since: optimizer steps, <c>Copy_</c> from a checkpoint, …; see <see cref="Tensor.Version"/>).
    /// Otherwise it is computed again, so it is never stale for changes the version counters see; do not derive from
    /// tensors changed behind them (libtorch 1.13's batch norm updates its running statistics so). The result belongs
    /// to the store (do not dispose it); <see cref="DropDerived"/> releases it early.
    /// </summary>
    /// <param name="name">A key of its own (e.g. the source's key and what was made of it).</param>
    /// <param name="sources">The store's tensors it is computed from.</param>
    /// <param name="compute">Computes it from <paramref name="sources"/>.</param>
    public Tensor Derived(string name, Tensor[] sources, Func<Tensor> compute)
    {
        lock (_derived)
        {
            var versions = sources.Select(t => t.Version).ToArray();
            if (_derived.TryGetValue(name, out var e))
            {
                if (versions.All(v => v >= 0) && e.Versions.AsSpan().SequenceEqual(versions)
                    && e.Sources.Length == sources.Length && e.Sources.Zip(sources).All(p => ReferenceEquals(p.First, p.Second)))
                    return e.Value;
                _derived.Remove(name);
                e.Value.Dispose();                                  // before computing anew: never two copies at a time
            }
            Tensor value;
            using (var scope = Libtorch.NewScope())
            using (Autograd.NoGrad())
                value = compute().DetachFromScope();
            _derived[name] = new DerivedEntry(sources, versions, value);
            return value;
        }
    }

    /// <summary>Releases the derived tensors (<see cref="Derived"/>) whose names start with <paramref name="prefix"/>
    /// (all of them for ""), e.g. when training is about to change their sources anyway.</summary>
    public void DropDerived(string prefix = "")
    {
        lock (_derived)
            foreach (var name in _derived.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList())
            {
                _derived[name].Value.Dispose();
                _derived.Remove(name);
            }
    }

    /// <summary>Bytes held by derived tensors (<see cref="Derived"/>).</summary>
    public long DerivedBytes
    {
        get { lock (_derived) return _derived.Values.Sum(e => e.Value.Numel * e.Value.DType.ElementSize()); }
    }

    /// <summary>Releases every tensor.</summary>
    public void Dispose()
    {
        DropDerived();
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

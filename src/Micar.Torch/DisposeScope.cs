namespace Micar.Torch;

/// <summary>
/// Frees, when disposed, every tensor created on this thread while it was the innermost scope — except the
/// tensors moved out with <see cref="Tensor.MoveToOuterScope"/> or <see cref="Tensor.DetachFromScope"/>.
/// A training step wrapped in a scope therefore has flat native memory without relying on the GC:
/// <code>using (Libtorch.NewScope()) { var loss = Step(batch); lossValue = loss.Item(); }</code>
/// Scopes nest; each thread has its own stack of scopes.
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] static DisposeScope? _current;
    readonly List<Tensor> _tensors = new();
    DisposeScope? _outer;
    bool _disposed;

    internal DisposeScope()
    {
        _outer = _current;
        _current = this;
    }

    /// <summary>The innermost scope of the calling thread, or null.</summary>
    public static DisposeScope? Current => _current;

    /// <summary>The enclosing scope, or null.</summary>
    public DisposeScope? Outer => _outer;

    /// <summary>Number of live tensors this scope will free.</summary>
    public int Count => _tensors.Count(t => t.Scope == this && !t.IsDisposed);

    internal void Add(Tensor t)
    {
        if (_disposed) throw new ObjectDisposedException(nameof(DisposeScope));
        _tensors.Add(t);
    }

    /// <summary>Frees the tensors still owned by this scope and makes the outer scope current again.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var t in _tensors)
            if (t.Scope == this) t.Dispose();
        _tensors.Clear();
        if (_current == this) _current = _outer;
        else
        {
            // Disposed out of order: unlink this scope so that later scopes keep working.
            for (var s = _current; s != null; s = s._outer)
                if (s._outer == this) { s._outer = _outer; break; }
        }
    }
}

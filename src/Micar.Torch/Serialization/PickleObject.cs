namespace Micar.Torch.Serialization;

/// <summary>
/// An inert record of a call to a global that is not on the allow-list, kept only when the reader is asked to
/// tolerate unknown globals. Nothing was imported or executed: this is just the callable's name, its
/// arguments and any state a later <c>BUILD</c> opcode supplied.
/// </summary>
public sealed class PickleObject
{
    /// <summary>Creates the record.</summary>
    /// <param name="callable">The global that Python would have called.</param>
    /// <param name="arguments">The arguments it would have received.</param>
    public PickleObject(PickleGlobal callable, PickleTuple arguments)
    {
        Callable = callable;
        Arguments = arguments;
    }

    /// <summary>The global that Python would have called.</summary>
    public PickleGlobal Callable { get; }

    /// <summary>The arguments it would have received.</summary>
    public PickleTuple Arguments { get; }

    /// <summary>State given by <c>BUILD</c> (Python's <c>__setstate__</c>), or null.</summary>
    public object? State { get; internal set; }

    /// <inheritdoc />
    public override string ToString() => $"<{Callable.FullName}{Arguments}>";
}

namespace Micar.Torch;

/// <summary>An error reported by libtorch; the message is libtorch's own explanation.</summary>
public sealed class TorchException : Exception
{
    /// <summary>Creates the exception with libtorch's message.</summary>
    public TorchException(string message) : base(message) { }
}

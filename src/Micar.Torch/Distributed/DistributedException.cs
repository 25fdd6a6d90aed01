namespace Micar.Torch.Distributed;

/// <summary>A collective or store operation failed: a peer died or stalled past the timeout, the rendezvous could not
/// be reached, or the shim was built without Gloo. The message is c10d's own explanation, prefixed by the operation.</summary>
public sealed class DistributedException(string message) : Exception(message);

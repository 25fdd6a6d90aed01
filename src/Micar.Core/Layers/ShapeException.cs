namespace Micar.Layers;

/// <summary>Input shapes that a layer description cannot accept; the message names the layer path and the mismatch.</summary>
public sealed class ShapeException(string path, string message)
    : Exception(path.Length == 0 ? message : $"{path}: {message}")
{
    /// <summary>State-dict prefix of the layer that rejected its inputs (empty at the root).</summary>
    public string Path { get; } = path;
}

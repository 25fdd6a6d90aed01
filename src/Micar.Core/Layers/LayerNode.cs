namespace Micar.Layers;

/// <summary>A layer in a description tree, with its state-dict prefix and depth (root = 0).</summary>
public sealed record LayerNode(string Path, int Depth, ILayer Layer);

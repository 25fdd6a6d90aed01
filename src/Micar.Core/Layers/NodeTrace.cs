namespace Micar.Layers;

/// <summary>What a <see cref="ShapeTracer"/> recorded for one layer path.</summary>
/// <param name="Path">State-dict prefix of the layer.</param>
/// <param name="Kind">The layer's <see cref="ILayer.Kind"/>.</param>
/// <param name="Output">Output shape of the latest call.</param>
/// <param name="SelfFlops">FLOPs reported by this layer itself (children excluded), summed over calls.</param>
/// <param name="Calls">How many times the layer was called.</param>
public sealed record NodeTrace(string Path, string Kind, Shape Output, long SelfFlops, int Calls)
{
    /// <summary>The layer of the latest call (null for a node that only received FLOPs).</summary>
    public ILayer? Layer { get; init; }

    /// <summary>Input shapes of the latest call (empty for a node that only received FLOPs).</summary>
    public IReadOnlyList<Shape> Inputs { get; init; } = [];
}

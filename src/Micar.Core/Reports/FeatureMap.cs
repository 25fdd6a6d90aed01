namespace Micar.Reports;

/// <summary>A named spatial feature map reduced to one channel (e.g. the channel mean of pyramid level P3).</summary>
public sealed record FeatureMap
{
    /// <summary>Name shown over the map, e.g. <c>P2</c>, <c>F</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Values <c>[h][w]</c>, rows top to bottom.</summary>
    public required float[][] Values { get; init; }
}

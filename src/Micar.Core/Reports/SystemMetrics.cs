namespace Micar.Reports;

/// <summary>Final test metrics of one system (the model, or a baseline) for the side-by-side table.</summary>
public sealed record SystemMetrics
{
    /// <summary>Column heading, e.g. "model", "baseline: most frequent report".</summary>
    public required string System { get; init; }

    /// <summary>Metric values by name; rows of the table are the union of names in order of first appearance.</summary>
    public required IReadOnlyDictionary<string, double> Values { get; init; }

    /// <summary>95 % intervals of some of the values (e.g. a bootstrap over the test reports), shown beside them.</summary>
    public IReadOnlyDictionary<string, (double Low, double High)> Intervals { get; init; } = new Dictionary<string, (double Low, double High)>();
}

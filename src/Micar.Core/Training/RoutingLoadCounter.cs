using Micar.Model;
using Micar.Torch;
using Micar.Nn;

namespace Micar.Training;

/// <summary>A trace sink that only accumulates per-expert routing counts of every MoE layer.</summary>
public sealed class RoutingLoadCounter : ITraceSink
{
    readonly SortedDictionary<string, long[]> _counts = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public void Record(string path, string kind, Tensor value)
    {
        if (kind != "routing.load") return;
        var c = value.ToArray<long>();
        if (!_counts.TryGetValue(path, out var acc)) _counts[path] = acc = new long[c.Length];
        for (int i = 0; i < c.Length; i++) acc[i] += c[i];
    }

    /// <summary>Fraction of routed (token, slot) pairs per expert, one row per MoE layer in path order.</summary>
    public double[][] Fractions() =>
        _counts.Values.Select(c => { double s = Math.Max(1, c.Sum()); return c.Select(v => v / s).ToArray(); }).ToArray();
}

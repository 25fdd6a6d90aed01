namespace Micar.Metrics;

/// <summary>Argument checks shared by the coco-flavour scorers.</summary>
internal static class CocoInputs
{
    public static void Validate(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string>> references)
    {
        ArgumentNullException.ThrowIfNull(hypotheses);
        ArgumentNullException.ThrowIfNull(references);
        if (hypotheses.Count != references.Count)
            throw new ArgumentException(
                $"coco metrics need references for every hypothesis: {hypotheses.Count} hypotheses, {references.Count} reference lists.",
                nameof(references));
        if (hypotheses.Count == 0) throw new ArgumentException("coco metrics need at least one item.", nameof(hypotheses));
        for (int i = 0; i < hypotheses.Count; i++)
        {
            if (hypotheses[i] is null) throw new ArgumentNullException(nameof(hypotheses), $"hypothesis {i} is null.");
            var refs = references[i] ?? throw new ArgumentNullException(nameof(references), $"reference list {i} is null.");
            if (refs.Count == 0) throw new ArgumentException($"item {i} has no reference.", nameof(references));
            for (int j = 0; j < refs.Count; j++)
            {
                if (refs[j] is null) throw new ArgumentNullException(nameof(references), $"reference {j} of item {i} is null.");
            }
        }
    }
}

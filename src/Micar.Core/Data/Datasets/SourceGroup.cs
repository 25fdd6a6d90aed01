namespace Micar.Data;

/// <summary>
/// Rows of a raw dataset that its <see cref="SplitRule"/> treats as one unit: the whole dataset, one part split on
/// its own (an MM-Retinal modality), or one given split (<c>train</c>, <c>val</c>, <c>test</c>).
/// </summary>
/// <param name="Name">The group's name (for a given split: the split's name).</param>
/// <param name="Rows">Its rows in source order, bad ones included (they take part in splitting).</param>
public sealed record SourceGroup(string Name, IReadOnlyList<SourceRow> Rows);

using System.Text.Json.Serialization;

namespace Micar.Spec;

/// <summary>
/// The vocabulary (JSON/YAML key <c>vocab</c>): a released dataset vocabulary by name, or a plain size.
/// When both are given they must agree.
/// </summary>
public sealed record VocabSpec
{
    /// <summary>Dataset whose released vocabulary is used: <c>covctr</c>, <c>mmretinal</c>, <c>pgross</c> or <c>roco</c>.</summary>
    /// <remarks>Always written (as null when absent), since absent means the default, covctr.</remarks>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Dataset { get; init; } = "covctr";

    /// <summary>Number of token ids, when no dataset is named (or to state the dataset's size).</summary>
    public int? Size { get; init; }

    /// <summary>Minimum token frequency when a vocabulary is built from training reports (3).</summary>
    public int MinFrequency { get; init; } = 3;

    /// <summary>The effective size: <see cref="Size"/>, else the dataset's; null when neither is known.</summary>
    [JsonIgnore]
    public int? ResolvedSize => Size ?? (Dataset is not null && PaperDatasets.VocabSizes.TryGetValue(Dataset, out var n) ? n : null);
}

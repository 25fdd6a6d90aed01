namespace Micar.Spec;

/// <summary>The four datasets of the paper and the sizes of their released vocabularies (§1, §7).</summary>
public static class PaperDatasets
{
    /// <summary>Vocabulary size by dataset name (the names of <c>Resources/vocab/</c>).</summary>
    public static IReadOnlyDictionary<string, int> VocabSizes { get; } = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["covctr"] = 229,
        ["mmretinal"] = 2046,
        ["pgross"] = 1679,
        ["roco"] = 16740,
    };
}

namespace Micar.Data;

/// <summary>
/// Which CSV cells pandas 2.2 (the official pinned version) reads as missing (<c>NaN</c>) with
/// <c>read_csv</c>'s defaults, and hence which rows <c>dropna()</c> removes.
/// </summary>
public static class PandasMissing
{
    private static readonly HashSet<string> DefaultNaStrings = new(StringComparer.Ordinal)
    {
        "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
        "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
    };

    /// <summary>The strings pandas' <c>read_csv</c> turns into <c>NaN</c> by default (the empty string included).</summary>
    public static IReadOnlySet<string> NaStrings => DefaultNaStrings;

    /// <summary>Whether a CSV cell (null for a cell absent from a short row) is missing to pandas.</summary>
    public static bool IsMissing(string? cell) => cell is null || DefaultNaStrings.Contains(cell);
}

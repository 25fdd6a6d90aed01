namespace Micar.Data;

/// <summary>R2Gen's <c>clean_report_iu_xray</c>: the <see cref="SentenceCleaner"/> without its
/// <c>". ." → "."</c> step (R2Gen's report cleaner has no such replacement).</summary>
public static class IuXrayCleaner
{
    /// <summary>Cleans one IU X-Ray report.</summary>
    public static string Clean(string report) => SentenceCleaner.Clean(report, collapseSpacedPeriods: false);
}

namespace Micar.Metrics;

/// <summary>Prediction/reference pairs, as read from a pairs file.</summary>
/// <param name="Predictions">Generated reports.</param>
/// <param name="References">Reference reports, one per prediction.</param>
public sealed record MetricPairs(IReadOnlyList<string> Predictions, IReadOnlyList<string> References)
{
    /// <summary>
    /// Reads a UTF-8 pairs file: one pair per line, <c>prediction TAB reference</c> (exactly one TAB; either side
    /// may be empty). A UTF-8 byte order mark at the start, a trailing carriage return and a final newline are
    /// ignored; blank lines (empty or only whitespace) are skipped; a first non-blank line that is
    /// <c>prediction TAB reference</c> itself (case-insensitive, each side trimmed) is a header and skipped.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="limits">Line and text size bounds; null for <see cref="MetricPairsLimits.Default"/>.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">A line does not hold exactly one TAB, is not valid UTF-8, or exceeds a limit
    /// of <paramref name="limits"/>, or the file holds no pair; the message names the file and the 1-based line.</exception>
    public static MetricPairs ReadTsv(string path, MetricPairsLimits? limits = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        limits ??= MetricPairsLimits.Default;
        limits.Validate();
        if (!File.Exists(path)) throw new FileNotFoundException($"Pairs file '{path}' does not exist.", path);
        var predictions = new List<string>();
        var references = new List<string>();
        bool seenContent = false;
        foreach (var (lineNumber, raw) in PairsFileLines.Read(path, limits.MaxLineBytes))
        {
            string line = raw.EndsWith('\r') ? raw[..^1] : raw;
            if (string.IsNullOrWhiteSpace(line)) continue;
            bool firstContent = !seenContent;
            seenContent = true;
            int tabs = line.Count(c => c == '\t');
            if (tabs != 1)
                throw new FormatException(
                    $"Pairs file '{path}', line {lineNumber}: expected 'prediction<TAB>reference' with exactly one TAB, found {tabs}.");
            int tab = line.IndexOf('\t');
            string prediction = line[..tab], reference = line[(tab + 1)..];
            if (firstContent && IsHeader(prediction, reference)) continue;
            CheckTokens(path, lineNumber, "prediction", prediction, limits.MaxTokensPerText);
            CheckTokens(path, lineNumber, "reference", reference, limits.MaxTokensPerText);
            predictions.Add(prediction);
            references.Add(reference);
        }
        if (predictions.Count == 0)
            throw new FormatException($"Pairs file '{path}' holds no pairs (blank lines and a header line do not count).");
        return new MetricPairs(predictions, references);
    }

    private static bool IsHeader(string prediction, string reference) =>
        prediction.Trim().Equals("prediction", StringComparison.OrdinalIgnoreCase)
        && reference.Trim().Equals("reference", StringComparison.OrdinalIgnoreCase);

    private static void CheckTokens(string path, int lineNumber, string side, string text, int limit)
    {
        if (MetricTokenCount.Exceeding(text, limit) is { } count)
            throw new FormatException(
                $"Pairs file '{path}', line {lineNumber}: the {side} has {count} tokens, more than the limit of {limit} "
                + "(MetricPairsLimits.MaxTokensPerText; real reports have well under 1,000).");
    }
}

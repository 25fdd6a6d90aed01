namespace Micar.Metrics;

/// <summary>How many tokens the metric scorers see in a text, for <see cref="MetricPairsLimits.MaxTokensPerText"/>.</summary>
internal static class MetricTokenCount
{
    /// <summary>
    /// The largest token count of <paramref name="text"/> under tokenizer J, tokenizer T, Python's whitespace split
    /// and the single-space split (where runs of spaces give empty tokens), if it exceeds <paramref name="limit"/>;
    /// otherwise null. No tokenization yields more than <c>text.Length + 1</c> tokens, so shorter texts are not
    /// tokenized at all.
    /// </summary>
    public static int? Exceeding(string text, int limit)
    {
        if (text.Length + 1L <= limit) return null;
        int spaces = 0;
        foreach (char c in text)
        {
            if (c == ' ') spaces++;
        }
        int count = Math.Max(spaces + 1, PythonString.SplitWhitespace(text).Count);
        if (count <= limit) count = Math.Max(count, JuryTokenizer.Tokenize(text).Count);
        if (count <= limit) count = Math.Max(count, RougeTokenizer.Tokenize(text).Count);
        return count > limit ? count : null;
    }
}

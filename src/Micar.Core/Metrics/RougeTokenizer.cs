namespace Micar.Metrics;

/// <summary>
/// Tokenizer T of <c>metrics.md</c> §3.4 (rouge_score's default tokenizer, no stemming): lower-case, then
/// every maximal run of characters outside <c>[a-z0-9]</c> separates tokens. Punctuation and non-ASCII
/// characters vanish.
/// </summary>
public static class RougeTokenizer
{
    /// <summary>Tokenizes one text.</summary>
    /// <param name="text">The text; must not be null.</param>
    /// <returns>Tokens made only of <c>[a-z0-9]</c>, possibly none.</returns>
    public static IReadOnlyList<string> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lower = PythonString.Lower(text);
        var tokens = new List<string>();
        int i = 0;
        while (i < lower.Length)
        {
            while (i < lower.Length && !IsTokenChar(lower[i])) i++;
            int start = i;
            while (i < lower.Length && IsTokenChar(lower[i])) i++;
            if (i > start) tokens.Add(lower.Substring(start, i - start));
        }
        return tokens;
    }

    private static bool IsTokenChar(char c) => c is >= 'a' and <= 'z' or >= '0' and <= '9';
}

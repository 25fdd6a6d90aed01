namespace Micar.Metrics;

/// <summary>
/// Tokenizer J of <c>metrics.md</c> §3.1, used by jury's BLEU and METEOR: every ASCII punctuation character
/// becomes a space, the text is split on (Python) whitespace, lower-cased and split again. Non-ASCII
/// punctuation stays inside tokens.
/// </summary>
public static class JuryTokenizer
{
    /// <summary>The 32 ASCII punctuation characters (Python's <c>string.punctuation</c>).</summary>
    public const string AsciiPunctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    /// <summary>Tokenizes one text.</summary>
    /// <param name="text">The text; must not be null.</param>
    /// <returns>The lower-cased tokens, possibly none.</returns>
    public static IReadOnlyList<string> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var chars = text.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
        {
            if (chars[i] < 0x80 && AsciiPunctuation.Contains(chars[i])) chars[i] = ' ';
        }
        var joined = string.Join(' ', PythonString.SplitWhitespace(new string(chars)));
        return PythonString.SplitWhitespace(PythonString.Lower(joined));
    }
}

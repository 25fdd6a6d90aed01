namespace Micar.Metrics;

/// <summary>
/// What nltk's English synonym lookup needs from one part of speech: the word forms of every synset
/// (multi-word forms dropped), the index lemmas with their synsets, and the morphological exceptions.
/// </summary>
internal sealed class WordNetPosTable
{
    public WordNetPosTable(string[][] synsets, Dictionary<string, int[]> index, Dictionary<string, string[]> exceptions)
    {
        Synsets = synsets;
        Index = index;
        Exceptions = exceptions;
    }

    /// <summary>Single-word forms of each synset, markers such as <c>(a)</c> stripped.</summary>
    public string[][] Synsets { get; }

    /// <summary>Index lemma → synset numbers (positions in <see cref="Synsets"/>), in index-file order.</summary>
    public Dictionary<string, int[]> Index { get; }

    /// <summary>Inflected form → base forms, from the exception file (a later line for the same form wins).</summary>
    public Dictionary<string, string[]> Exceptions { get; }

    /// <summary>File-name stem of each part of speech in the WordNet database.</summary>
    public static string FileName(WordNetPos pos) => pos switch
    {
        WordNetPos.Noun => "noun",
        WordNetPos.Verb => "verb",
        WordNetPos.Adjective => "adj",
        WordNetPos.Adverb => "adv",
        _ => throw new ArgumentOutOfRangeException(nameof(pos), pos, "unknown WordNet part of speech"),
    };

    /// <summary>The one-letter code WordNet files use for each part of speech.</summary>
    public static string Letter(WordNetPos pos) => pos switch
    {
        WordNetPos.Noun => "n",
        WordNetPos.Verb => "v",
        WordNetPos.Adjective => "a",
        WordNetPos.Adverb => "r",
        _ => throw new ArgumentOutOfRangeException(nameof(pos), pos, "unknown WordNet part of speech"),
    };
}

namespace Micar.Metrics;

/// <summary>The four WordNet parts of speech, in the order nltk's <c>synsets()</c> visits them.</summary>
public enum WordNetPos
{
    /// <summary>Nouns (<c>index.noun</c>, <c>data.noun</c>, <c>noun.exc</c>).</summary>
    Noun = 0,

    /// <summary>Verbs (<c>index.verb</c>, <c>data.verb</c>, <c>verb.exc</c>).</summary>
    Verb = 1,

    /// <summary>Adjectives, satellites included (<c>index.adj</c>, <c>data.adj</c>, <c>adj.exc</c>).</summary>
    Adjective = 2,

    /// <summary>Adverbs (<c>index.adv</c>, <c>data.adv</c>, <c>adv.exc</c>).</summary>
    Adverb = 3,
}

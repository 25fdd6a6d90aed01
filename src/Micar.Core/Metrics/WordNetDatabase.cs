using System.Collections.Concurrent;

namespace Micar.Metrics;

/// <summary>
/// Princeton WordNet 3.0, reduced to what nltk's English synonym lookup (and hence jury's METEOR) uses:
/// index lemmas, synset word forms, exception lists, nltk's <c>morphy</c> and the synonym set Syn(w) of
/// <c>metrics.md</c> §3.3.2. Instances are immutable and thread-safe; loaded databases are cached, so
/// resolving the same source twice costs nothing.
/// </summary>
/// <remarks>
/// Sources: the copy embedded in Micar.Core (default; derived from Debian's <c>wordnet-base</c> files by
/// <c>scripts/resources/make_wordnet_resource.py</c>, WordNet 3.0 licence alongside), or a directory of the
/// original database files named by a parameter or by the <c>MICAR_WORDNET_DIR</c> environment variable.
/// </remarks>
public sealed class WordNetDatabase
{
    /// <summary>Environment variable naming a directory of WordNet 3.0 database files.</summary>
    public const string DirectoryEnvironmentVariable = "MICAR_WORDNET_DIR";

    /// <summary>Source name of the embedded copy.</summary>
    public const string EmbeddedSource = "embedded";

    private static readonly (string Old, string New)[][] Substitutions =
    [
        [("s", ""), ("ses", "s"), ("ves", "f"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"), ("men", "man"), ("ies", "y")],
        [("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""), ("ing", "e"), ("ing", "")],
        [("er", ""), ("est", ""), ("er", "e"), ("est", "e")],
        [],
    ];

    private static readonly Lazy<WordNetDatabase> EmbeddedInstance =
        new(() => new WordNetDatabase(WordNetEmbeddedReader.Read(), EmbeddedSource));

    private static readonly Dictionary<string, WordNetDatabase> ByDirectory = new(StringComparer.Ordinal);
    private static readonly Lock DirectoryGate = new();

    private readonly WordNetPosTable[] tables;
    private readonly ConcurrentDictionary<string, HashSet<string>> synonymCache = new(StringComparer.Ordinal);

    private WordNetDatabase(WordNetPosTable[] tables, string source)
    {
        this.tables = tables;
        Source = source;
    }

    /// <summary>Where the data came from: <see cref="EmbeddedSource"/> or the full directory path.</summary>
    public string Source { get; }

    /// <summary>The WordNet 3.0 copy embedded in Micar.Core (loaded on first use, then cached).</summary>
    public static WordNetDatabase Embedded => EmbeddedInstance.Value;

    /// <summary>
    /// Loads (once per full path) the WordNet 3.0 database files of a directory, for example
    /// <c>/usr/share/wordnet</c> from Debian's <c>wordnet-base</c>.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">A needed file is missing; the message says how to install it.</exception>
    /// <exception cref="InvalidDataException">A file is malformed; the message names the file and line.</exception>
    public static WordNetDatabase FromDirectory(string directory) => FromDirectory(directory, "given directory");

    /// <summary>
    /// The database to use: <paramref name="directory"/> when given, else the directory in
    /// <c>MICAR_WORDNET_DIR</c> when set and non-empty, else <see cref="Embedded"/>.
    /// </summary>
    public static WordNetDatabase Resolve(string? directory = null)
    {
        if (!string.IsNullOrEmpty(directory)) return FromDirectory(directory, "given directory");
        var fromEnvironment = Environment.GetEnvironmentVariable(DirectoryEnvironmentVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
            return FromDirectory(fromEnvironment, $"from {DirectoryEnvironmentVariable}");
        return Embedded;
    }

    private static WordNetDatabase FromDirectory(string directory, string origin)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        lock (DirectoryGate)
        {
            if (!ByDirectory.TryGetValue(full, out var database))
            {
                database = new WordNetDatabase(WordNetDirectoryReader.Read(full, origin), full);
                ByDirectory[full] = database;
            }
            return database;
        }
    }

    /// <summary>Number of synsets of a part of speech (WordNet 3.0: 82115, 13767, 18156, 3621).</summary>
    public int SynsetCount(WordNetPos pos) => Table(pos).Synsets.Length;

    /// <summary>Number of index lemmas of a part of speech (WordNet 3.0: 117798, 11529, 21479, 4481).</summary>
    public int LemmaCount(WordNetPos pos) => Table(pos).Index.Count;

    /// <summary>Whether <paramref name="lemma"/> is listed in the index of <paramref name="pos"/>.</summary>
    public bool IsLemma(string lemma, WordNetPos pos)
    {
        ArgumentNullException.ThrowIfNull(lemma);
        return Table(pos).Index.ContainsKey(lemma);
    }

    /// <summary>
    /// nltk's <c>_morphy(form, pos)</c>: the exception list first (its known forms, even if none), else the
    /// known forms among the form and one round of suffix rules, else further rounds until a known form appears.
    /// </summary>
    /// <returns>Known base forms, in nltk's order, without duplicates.</returns>
    public IReadOnlyList<string> Morphy(string form, WordNetPos pos)
    {
        ArgumentNullException.ThrowIfNull(form);
        var table = Table(pos);
        var substitutions = Substitutions[(int)pos];
        if (table.Exceptions.TryGetValue(form, out var bases)) return Known(table, [form, .. bases]);

        var forms = ApplyRules([form], substitutions);
        var results = Known(table, [form, .. forms]);
        if (results.Count > 0) return results;
        while (forms.Count > 0)
        {
            forms = ApplyRules(forms, substitutions);
            results = Known(table, forms);
            if (results.Count > 0) return results;
        }
        return [];
    }

    /// <summary>
    /// The synsets nltk's <c>wordnet.synsets(word)</c> returns (all parts of speech, in nltk's order), each as
    /// its single-word forms (forms containing <c>_</c> are not kept).
    /// </summary>
    public IReadOnlyList<IReadOnlyList<string>> Synsets(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        string lower = PythonString.Lower(word);
        var result = new List<IReadOnlyList<string>>();
        foreach (var pos in Enum.GetValues<WordNetPos>())
        {
            var table = Table(pos);
            foreach (var baseForm in Morphy(lower, pos))
                foreach (int id in table.Index[baseForm])
                    result.Add(table.Synsets[id]);
        }
        return result;
    }

    /// <summary>
    /// Syn(w) of <c>metrics.md</c> §3.3.2, the set METEOR's WordNet stage tests: <paramref name="word"/> itself
    /// plus every single-word form of every synset reached from it. Case is kept as in WordNet (<c>Mass</c>).
    /// </summary>
    public IReadOnlySet<string> Synonyms(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        return synonymCache.GetOrAdd(word, static (w, self) => self.ComputeSynonyms(w), this);
    }

    private HashSet<string> ComputeSynonyms(string word)
    {
        var set = new HashSet<string>(StringComparer.Ordinal) { word };
        foreach (var synset in Synsets(word))
            foreach (var form in synset)
                set.Add(form);
        return set;
    }

    private WordNetPosTable Table(WordNetPos pos) =>
        (uint)pos < (uint)tables.Length
            ? tables[(int)pos]
            : throw new ArgumentOutOfRangeException(nameof(pos), pos, "unknown WordNet part of speech");

    /// <summary>One round of suffix rules over all forms; duplicates dropped (first occurrence kept).</summary>
    private static List<string> ApplyRules(List<string> forms, (string Old, string New)[] substitutions)
    {
        var next = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var form in forms)
        {
            foreach (var (old, replacement) in substitutions)
            {
                if (!form.EndsWith(old, StringComparison.Ordinal)) continue;
                string candidate = form[..^old.Length] + replacement;
                if (seen.Add(candidate)) next.Add(candidate);
            }
        }
        return next;
    }

    private static List<string> Known(WordNetPosTable table, List<string> forms)
    {
        var result = new List<string>();
        foreach (var form in forms)
        {
            if (table.Index.ContainsKey(form) && !result.Contains(form)) result.Add(form);
        }
        return result;
    }
}

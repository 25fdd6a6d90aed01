using System.Text;
using System.Text.Json;

namespace Micar.Data;

/// <summary>
/// The word vocabulary of the official <c>CustomTokenizer</c>: the specials <c>&lt;pad&gt;</c>=0,
/// <c>&lt;sos&gt;</c>=1, <c>&lt;eos&gt;</c>=2, <c>&lt;unk&gt;</c>=3, then the regular tokens in Python string
/// (code point) order with ids from 4.
/// </summary>
/// <remarks>
/// Files: <c>token2id.json</c> (<c>{token: id}</c>, specials first in the order sos, eos, pad, unk) and
/// <c>id2token.json</c> (<c>{"id": token}</c>), both written byte for byte as Python's <c>json.dump</c> writes them.
/// </remarks>
public sealed class Vocabulary
{
    /// <summary>Default minimum frequency of a token in the training reports (official <c>min_frequency</c>).</summary>
    public const int DefaultMinFrequency = 3;

    /// <summary>Names of the four vocabularies released with the official checkpoints, embedded in Micar.Core.</summary>
    public static IReadOnlyList<string> ReleasedNames { get; } = ["covctr", "mmretinal", "pgross", "roco"];

    private readonly string[] _tokens;
    private readonly Dictionary<string, int> _ids;

    private Vocabulary(string[] tokens)
    {
        _tokens = tokens;
        _ids = new Dictionary<string, int>(tokens.Length, StringComparer.Ordinal);
        for (int i = 0; i < tokens.Length; i++) _ids.Add(tokens[i], i);
    }

    /// <summary>Number of entries, specials included (the model's vocabulary size).</summary>
    public int Count => _tokens.Length;

    /// <summary>All tokens indexed by id (ids 0–3 are the specials).</summary>
    public IReadOnlyList<string> Tokens => _tokens;

    /// <summary>The token with id <paramref name="id"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The id is not in the vocabulary.</exception>
    public string TokenOf(long id)
    {
        if (id < 0 || id >= _tokens.Length)
            throw new ArgumentOutOfRangeException(nameof(id), id, $"token id {id} is outside the vocabulary (size {_tokens.Length})");
        return _tokens[id];
    }

    /// <summary>The id of <paramref name="token"/>, or <see cref="SpecialTokens.UnkId"/> when it is not in the
    /// vocabulary (official <c>get_id_by_token</c>; the special texts map to their own ids).</summary>
    public int IdOf(string token) => _ids.TryGetValue(token, out int id) ? id : SpecialTokens.UnkId;

    /// <summary>Whether <paramref name="token"/> has an id of its own.</summary>
    public bool Contains(string token) => _ids.ContainsKey(token);

    /// <summary>
    /// Builds the vocabulary the official tokenizer builds from the training reports: split each report with
    /// Python <c>str.split()</c>, keep tokens occurring at least <paramref name="minFrequency"/> times, sort them
    /// by code point and number them from 4.
    /// </summary>
    /// <remarks>A token spelled like a special (e.g. <c>&lt;unk&gt;</c>) is not added again: it keeps the special's
    /// id. (The official code would renumber the special, leaving an inconsistent mapping.)</remarks>
    public static Vocabulary Build(IEnumerable<string> reports, int minFrequency = DefaultMinFrequency)
    {
        ArgumentNullException.ThrowIfNull(reports);
        ArgumentOutOfRangeException.ThrowIfLessThan(minFrequency, 1);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        int row = 0;
        foreach (var report in reports)
        {
            if (report is null) throw new ArgumentException($"report {row} is null", nameof(reports));
            foreach (var token in PythonText.Split(report))
                counts[token] = counts.TryGetValue(token, out int c) ? c + 1 : 1;
            row++;
        }
        var kept = counts.Where(kv => kv.Value >= minFrequency && !SpecialTokens.IsSpecial(kv.Key))
            .Select(kv => kv.Key).ToList();
        kept.Sort(PythonText.CodePointComparer);
        return FromRegularTokens(kept);
    }

    /// <summary>Creates a vocabulary from its regular tokens, which receive ids 4, 5, … in the given order.</summary>
    /// <exception cref="ArgumentException">A token is empty, contains whitespace, is a special, or repeats.</exception>
    public static Vocabulary FromRegularTokens(IEnumerable<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var all = new List<string>(SpecialTokens.ById);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in tokens)
        {
            if (string.IsNullOrEmpty(t)) throw new ArgumentException("a vocabulary token is empty", nameof(tokens));
            if (t.Any(PythonText.IsSpace)) throw new ArgumentException($"vocabulary token '{t}' contains whitespace", nameof(tokens));
            if (SpecialTokens.IsSpecial(t)) throw new ArgumentException($"vocabulary token '{t}' is a special token", nameof(tokens));
            if (!seen.Add(t)) throw new ArgumentException($"vocabulary token '{t}' occurs twice", nameof(tokens));
            all.Add(t);
        }
        return new Vocabulary([.. all]);
    }

    /// <summary>
    /// Parses a <c>token2id.json</c> text. Every id from 0 to size−1 must occur exactly once and the specials
    /// must carry their fixed ids; the ordering rules are reported by <see cref="OfficialRuleViolations"/>.
    /// </summary>
    /// <param name="json">The file's text.</param>
    /// <param name="source">File or resource name used in error messages.</param>
    /// <exception cref="InvalidDataException">The text does not describe a vocabulary; the message names the key.</exception>
    public static Vocabulary ParseToken2Id(string json, string source = "token2id.json")
    {
        var members = PythonJson.ReadObjectMembers(json, source);
        var byId = new string?[members.Count];
        foreach (var (key, value) in members)
        {
            if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out int id))
                throw new InvalidDataException($"{source}: key \"{key}\" has value {value.GetRawText()}, expected an integer id");
            if (id < 0 || id >= members.Count)
                throw new InvalidDataException($"{source}: key \"{key}\" has id {id}, outside 0..{members.Count - 1} (ids must be contiguous)");
            if (byId[id] is { } other)
                throw new InvalidDataException(other == key
                    ? $"{source}: key \"{key}\" occurs twice"
                    : $"{source}: keys \"{other}\" and \"{key}\" both have id {id}");
            byId[id] = key;
        }
        for (int i = 0; i < SpecialTokens.FirstRegularId; i++)
        {
            if (byId.Length <= i || byId[i] != SpecialTokens.ById[i])
                throw new InvalidDataException($"{source}: id {i} must be \"{SpecialTokens.ById[i]}\", found {(byId.Length <= i || byId[i] is null ? "nothing" : $"\"{byId[i]}\"")}");
        }
        var regular = byId.Skip(SpecialTokens.FirstRegularId).Select(t => t!).ToArray();
        foreach (var t in regular)
        {
            if (SpecialTokens.IsSpecial(t)) throw new InvalidDataException($"{source}: special token \"{t}\" has a regular id");
        }
        var vocab = new Vocabulary([.. byId.Select(t => t!)]);
        vocab.FileKeyOrder = members.Select(m => m.Key).ToArray();
        return vocab;
    }

    /// <summary>
    /// Loads <c>token2id.json</c> and, when given, checks that <c>id2token.json</c> is its exact inverse.
    /// </summary>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="InvalidDataException">A file is malformed or the two disagree; the message names file and key.</exception>
    public static Vocabulary Load(string token2IdPath, string? id2TokenPath = null)
    {
        ArgumentNullException.ThrowIfNull(token2IdPath);
        if (!File.Exists(token2IdPath)) throw new FileNotFoundException($"vocabulary file not found: {token2IdPath}", token2IdPath);
        var vocab = ParseToken2Id(File.ReadAllText(token2IdPath, Encoding.UTF8), token2IdPath);
        if (id2TokenPath is not null)
        {
            if (!File.Exists(id2TokenPath)) throw new FileNotFoundException($"vocabulary file not found: {id2TokenPath}", id2TokenPath);
            vocab.CheckId2Token(File.ReadAllText(id2TokenPath, Encoding.UTF8), id2TokenPath);
        }
        return vocab;
    }

    /// <summary>Loads <c>token2id.json</c> and <c>id2token.json</c> from a directory.</summary>
    public static Vocabulary LoadDirectory(string directory) =>
        Load(Path.Combine(directory, "token2id.json"), Path.Combine(directory, "id2token.json"));

    /// <summary>
    /// Loads one of the vocabularies released with the official checkpoints (embedded resources
    /// <c>Micar.Resources.vocab/&lt;name&gt;/token2id.json</c> and <c>id2token.json</c>), checking both files and
    /// the official rules.
    /// </summary>
    /// <param name="name"><c>covctr</c>, <c>mmretinal</c>, <c>pgross</c> or <c>roco</c>.</param>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static Vocabulary LoadReleased(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!ReleasedNames.Contains(name))
            throw new ArgumentException($"unknown released vocabulary '{name}' (known: {string.Join(", ", ReleasedNames)})", nameof(name));
        string t2i = ReadReleasedFile(name, "token2id.json");
        string i2t = ReadReleasedFile(name, "id2token.json");
        var vocab = ParseToken2Id(t2i, $"vocab/{name}/token2id.json");
        vocab.CheckId2Token(i2t, $"vocab/{name}/id2token.json");
        var problems = vocab.OfficialRuleViolations();
        if (problems.Count > 0)
            throw new InvalidDataException($"vocab/{name}: {problems[0]}");
        return vocab;
    }

    /// <summary>Returns the text of one released vocabulary file (<c>token2id.json</c> or <c>id2token.json</c>)
    /// exactly as stored.</summary>
    public static string ReadReleasedFile(string name, string file)
    {
        string resource = $"Micar.Resources.vocab/{name}/{file}";
        using var stream = typeof(Vocabulary).Assembly.GetManifestResourceStream(resource)
            ?? throw new ArgumentException($"embedded resource '{resource}' not found", nameof(name));
        using var reader = new StreamReader(stream, new UTF8Encoding(false, true));
        return reader.ReadToEnd();
    }

    /// <summary>The key order of the <c>token2id.json</c> this vocabulary was parsed from (null when built).</summary>
    public IReadOnlyList<string>? FileKeyOrder { get; private set; }

    /// <summary>
    /// Lists every way this vocabulary departs from the official rules: specials listed first in the order
    /// sos, eos, pad, unk (checked when parsed from a file); regular tokens non-empty, free of whitespace and in
    /// strictly increasing code point order with ids 4, 5, ….
    /// </summary>
    public IReadOnlyList<string> OfficialRuleViolations()
    {
        var problems = new List<string>();
        if (FileKeyOrder is { } order)
        {
            for (int i = 0; i < SpecialTokens.FileOrder.Count; i++)
            {
                if (order.Count <= i || order[i] != SpecialTokens.FileOrder[i])
                {
                    problems.Add($"key {i} of token2id.json should be \"{SpecialTokens.FileOrder[i]}\"");
                    break;
                }
            }
            for (int i = SpecialTokens.FirstRegularId; i < order.Count; i++)
            {
                if (order[i] != _tokens[i])
                {
                    problems.Add($"token2id.json lists \"{order[i]}\" at position {i} but its id is {_ids[order[i]]}");
                    break;
                }
            }
        }
        for (int i = SpecialTokens.FirstRegularId; i < _tokens.Length; i++)
        {
            string t = _tokens[i];
            if (t.Length == 0) problems.Add($"token {i} is empty");
            else if (t.Any(PythonText.IsSpace)) problems.Add($"token {i} \"{t}\" contains whitespace");
            if (i > SpecialTokens.FirstRegularId && PythonText.CompareCodePoints(_tokens[i - 1], t) >= 0)
                problems.Add($"tokens {i - 1} \"{_tokens[i - 1]}\" and {i} \"{t}\" are not in increasing code point order");
        }
        return problems;
    }

    /// <summary>The <c>token2id.json</c> text, byte-identical to what the official code writes.</summary>
    public string ToToken2IdJson()
    {
        var entries = new List<KeyValuePair<string, int>>(_tokens.Length);
        foreach (var s in SpecialTokens.FileOrder) entries.Add(new(s, _ids[s]));
        for (int i = SpecialTokens.FirstRegularId; i < _tokens.Length; i++) entries.Add(new(_tokens[i], i));
        return PythonJson.SerializeObject(entries);
    }

    /// <summary>The <c>id2token.json</c> text, byte-identical to what the official code writes.</summary>
    public string ToId2TokenJson()
    {
        var entries = new List<KeyValuePair<string, string>>(_tokens.Length);
        foreach (var s in SpecialTokens.FileOrder) entries.Add(new(_ids[s].ToString(System.Globalization.CultureInfo.InvariantCulture), s));
        for (int i = SpecialTokens.FirstRegularId; i < _tokens.Length; i++)
            entries.Add(new(i.ToString(System.Globalization.CultureInfo.InvariantCulture), _tokens[i]));
        return PythonJson.SerializeObject(entries);
    }

    /// <summary>Writes <c>token2id.json</c> and <c>id2token.json</c> (UTF-8, no BOM) into <paramref name="directory"/>,
    /// creating it if needed.</summary>
    public void Save(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        Directory.CreateDirectory(directory);
        var utf8 = new UTF8Encoding(false);
        File.WriteAllText(Path.Combine(directory, "token2id.json"), ToToken2IdJson(), utf8);
        File.WriteAllText(Path.Combine(directory, "id2token.json"), ToId2TokenJson(), utf8);
    }

    private void CheckId2Token(string json, string source)
    {
        var members = PythonJson.ReadObjectMembers(json, source);
        var seen = new HashSet<int>();
        foreach (var (key, value) in members)
        {
            if (!int.TryParse(key, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out int id))
                throw new InvalidDataException($"{source}: key \"{key}\" is not an integer id");
            if (value.ValueKind != JsonValueKind.String)
                throw new InvalidDataException($"{source}: key \"{key}\" has value {value.GetRawText()}, expected a token string");
            if (id < 0 || id >= _tokens.Length)
                throw new InvalidDataException($"{source}: id {key} is not in token2id.json (size {_tokens.Length})");
            if (!seen.Add(id)) throw new InvalidDataException($"{source}: id {key} occurs twice");
            string token = value.GetString()!;
            if (token != _tokens[id])
                throw new InvalidDataException($"{source}: id {key} is \"{token}\" but token2id.json gives that id to \"{_tokens[id]}\"");
        }
        if (seen.Count != _tokens.Length)
        {
            int missing = Enumerable.Range(0, _tokens.Length).First(i => !seen.Contains(i));
            throw new InvalidDataException($"{source}: id {missing} (\"{_tokens[missing]}\") is missing");
        }
    }
}

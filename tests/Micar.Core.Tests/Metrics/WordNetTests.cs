using Micar.Metrics;
using Xunit;

namespace Micar.Tests.Metrics;

public sealed class WordNetTests
{
    private static WordNetDatabase Embedded => WordNetDatabase.Embedded;

    private static readonly string MiniDirectory = MetricFixtures.Path("wordnet-mini");

    [Fact]
    public void EmbeddedCopyHasWordNet30Statistics()
    {
        Assert.Equal(WordNetDatabase.EmbeddedSource, Embedded.Source);
        Assert.Equal([82115, 13767, 18156, 3621], Enum.GetValues<WordNetPos>().Select(Embedded.SynsetCount));
        Assert.Equal([117798, 11529, 21479, 4481], Enum.GetValues<WordNetPos>().Select(Embedded.LemmaCount));
        Assert.Same(Embedded, WordNetDatabase.Embedded);
    }

    [Theory]
    [InlineData("tumor", "neoplasm tumor tumour")]
    [InlineData("tumour", "neoplasm tumor tumour")]
    [InlineData("lesion", "lesion wound")]
    [InlineData("opac", "opac")]
    [InlineData("larg", "larg")]
    public void SpecSynonymChecks(string word, string expected) =>
        Assert.Equal(expected.Split(' '), Embedded.Synonyms(word).Order(StringComparer.Ordinal));

    [Fact]
    public void SynonymsMatchNltk()
    {
        int count = 0;
        var mismatches = new List<string>();
        foreach (var fields in MetricFixtures.Tsv("synonyms.tsv"))
        {
            var got = string.Join(' ', Embedded.Synonyms(fields[0]).Order(StringComparer.Ordinal));
            if (got != fields[1]) mismatches.Add($"{fields[0]}: {got} | nltk {fields[1]}");
            count++;
        }
        Assert.True(count > 10000, $"only {count} fixture words");
        Assert.Empty(mismatches);
    }

    [Fact]
    public void MorphyMatchesNltk()
    {
        var letters = new Dictionary<string, WordNetPos>
        {
            ["n"] = WordNetPos.Noun, ["v"] = WordNetPos.Verb, ["a"] = WordNetPos.Adjective, ["r"] = WordNetPos.Adverb,
        };
        var expected = MetricFixtures.Tsv("morphy.tsv").ToDictionary(f => (f[0], letters[f[1]]), f => f[2]);
        Assert.True(expected.Count > 500, $"only {expected.Count} fixture entries");
        foreach (var word in expected.Keys.Select(k => k.Item1).Distinct())
        {
            foreach (var pos in Enum.GetValues<WordNetPos>())
            {
                var got = string.Join(' ', Embedded.Morphy(word, pos));
                Assert.Equal(expected.GetValueOrDefault((word, pos), ""), got);
            }
        }
    }

    [Theory]
    [InlineData("went", WordNetPos.Verb, "go")] // exception list
    [InlineData("better", WordNetPos.Adjective, "better good well")] // exception list keeps known forms in order
    [InlineData("masses", WordNetPos.Noun, "masses mass masse")] // exception list
    [InlineData("opacities", WordNetPos.Noun, "opacity")]
    [InlineData("xyzzies", WordNetPos.Noun, "")]
    public void MorphyExamples(string word, WordNetPos pos, string expected) =>
        Assert.Equal(expected, string.Join(' ', Embedded.Morphy(word, pos)));

    [Fact]
    public void DirectoryReaderMatchesNltkOnMiniDatabase()
    {
        var mini = WordNetDatabase.FromDirectory(MiniDirectory);
        Assert.Equal(Path.GetFullPath(MiniDirectory), mini.Source);
        Assert.Same(mini, WordNetDatabase.FromDirectory(MiniDirectory + Path.DirectorySeparatorChar));
        foreach (var fields in MetricFixtures.Tsv("wordnet-mini-synonyms.tsv"))
            Assert.Equal(fields[1], string.Join(' ', mini.Synonyms(fields[0]).Order(StringComparer.Ordinal)));
        var expected = MetricFixtures.Tsv("wordnet-mini-synsets.tsv").GroupBy(f => f[0]).ToDictionary(g => g.Key, g => g.Select(f => f[1]).ToList());
        foreach (var (word, synsets) in expected)
            Assert.Equal(synsets, mini.Synsets(word).Select(s => string.Join(' ', s)));
    }

    [Fact]
    public void DirectoryReaderAgreesWithEmbeddedCopyOnRealSynsetLines()
    {
        // The mini database keeps the real data lines (non-satellite synsets) of these lemmas.
        var mini = WordNetDatabase.FromDirectory(MiniDirectory);
        foreach (var word in (string[])["tumor", "lesion", "mass", "heart", "show", "enlarge", "liver"])
        {
            foreach (var pos in (WordNetPos[])[WordNetPos.Noun, WordNetPos.Verb])
            {
                if (!mini.IsLemma(word, pos)) continue;
                var full = Embedded.Synsets(word).Select(s => string.Join(' ', s)).ToHashSet();
                Assert.All(mini.Synsets(word), s => Assert.Contains(string.Join(' ', s), full));
            }
        }
    }

    [Fact]
    public void MissingDirectoryGivesInstallHint()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() => WordNetDatabase.FromDirectory("/nonexistent/wordnet-dir"));
        Assert.Contains("wordnet-base", e.Message);
        Assert.Contains("/nonexistent/wordnet-dir", e.Message);
    }

    [Fact]
    public void MissingFileIsNamed()
    {
        var dir = Directory.CreateTempSubdirectory("micar-wn-");
        try
        {
            foreach (var f in Directory.GetFiles(MiniDirectory)) File.Copy(f, Path.Combine(dir.FullName, Path.GetFileName(f)));
            File.Delete(Path.Combine(dir.FullName, "verb.exc"));
            var e = Assert.Throws<FileNotFoundException>(() => WordNetDatabase.FromDirectory(dir.FullName));
            Assert.Contains("'verb.exc'", e.Message);
            Assert.Contains("apt-get install wordnet-base", e.Message);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void MalformedIndexLineIsNamed()
    {
        var dir = Directory.CreateTempSubdirectory("micar-wn-");
        try
        {
            foreach (var f in Directory.GetFiles(MiniDirectory)) File.Copy(f, Path.Combine(dir.FullName, Path.GetFileName(f)));
            var index = Path.Combine(dir.FullName, "index.noun");
            var lines = File.ReadAllLines(index).ToList();
            lines.Add("brokenlemma n 1 0 1 0 99999999  ");
            File.WriteAllLines(index, lines);
            var e = Assert.Throws<InvalidDataException>(() => WordNetDatabase.FromDirectory(dir.FullName));
            Assert.Contains("index.noun", e.Message);
            Assert.Contains($"line {lines.Count}", e.Message);
            Assert.Contains("99999999", e.Message);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void SynsetOffsetMismatchIsNamed()
    {
        var dir = Directory.CreateTempSubdirectory("micar-wn-");
        try
        {
            foreach (var f in Directory.GetFiles(MiniDirectory)) File.Copy(f, Path.Combine(dir.FullName, Path.GetFileName(f)));
            var data = Path.Combine(dir.FullName, "data.adv");
            File.WriteAllText(data, "x" + File.ReadAllText(data)); // shifts every offset by one byte
            var e = Assert.Throws<InvalidDataException>(() => WordNetDatabase.FromDirectory(dir.FullName));
            Assert.Contains("data.adv", e.Message);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("galore(ip)", "galore")]
    [InlineData("big(a)", "big")]
    [InlineData("plain", "plain")]
    [InlineData("a)", "a)")]
    public void MarkerStripping(string word, string expected) => Assert.Equal(expected, WordNetDirectoryReader.StripMarker(word));
}

/// <summary>Tests that change process-wide environment variables; never run beside other tests.</summary>
[CollectionDefinition(nameof(EnvironmentCollection), DisableParallelization = true)]
public sealed class EnvironmentCollection;

[Collection(nameof(EnvironmentCollection))]
public sealed class WordNetResolveTests
{
    [Fact]
    public void ResolveOrder()
    {
        string? saved = Environment.GetEnvironmentVariable(WordNetDatabase.DirectoryEnvironmentVariable);
        try
        {
            var mini = MetricFixtures.Path("wordnet-mini");
            Environment.SetEnvironmentVariable(WordNetDatabase.DirectoryEnvironmentVariable, null);
            Assert.Same(WordNetDatabase.Embedded, WordNetDatabase.Resolve());
            Assert.Same(WordNetDatabase.FromDirectory(mini), WordNetDatabase.Resolve(mini));

            Environment.SetEnvironmentVariable(WordNetDatabase.DirectoryEnvironmentVariable, mini);
            Assert.Same(WordNetDatabase.FromDirectory(mini), WordNetDatabase.Resolve());

            Environment.SetEnvironmentVariable(WordNetDatabase.DirectoryEnvironmentVariable, "/nonexistent/from-env");
            var e = Assert.Throws<DirectoryNotFoundException>(() => WordNetDatabase.Resolve());
            Assert.Contains(WordNetDatabase.DirectoryEnvironmentVariable, e.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable(WordNetDatabase.DirectoryEnvironmentVariable, saved);
        }
    }
}

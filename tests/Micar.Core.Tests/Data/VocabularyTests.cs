using System.Text;
using Micar.Data;
using Xunit;

namespace Micar.Tests.Data;

public sealed class VocabularyTests
{
    [Theory]
    [InlineData("covctr", 229)]
    [InlineData("mmretinal", 2046)]
    [InlineData("pgross", 1679)]
    [InlineData("roco", 16740)]
    public void Released_vocabularies_load_and_satisfy_the_official_rules(string name, int size)
    {
        var v = Vocabulary.LoadReleased(name);
        Assert.Equal(size, v.Count);
        Assert.Empty(v.OfficialRuleViolations());
        Assert.Equal(["<pad>", "<sos>", "<eos>", "<unk>"], v.Tokens.Take(4));
        Assert.Equal(SpecialTokens.UnkId, v.IdOf("certainly-not-a-token"));
        Assert.Equal(SpecialTokens.SosId, v.IdOf("<sos>"));
        for (int i = 5; i < v.Count; i++) Assert.True(PythonText.CompareCodePoints(v.Tokens[i - 1], v.Tokens[i]) < 0);
    }

    [Theory]
    [InlineData("covctr")]
    [InlineData("mmretinal")]
    [InlineData("pgross")]
    [InlineData("roco")]
    public void Writing_a_released_vocabulary_reproduces_its_files_byte_for_byte(string name)
    {
        var v = Vocabulary.LoadReleased(name);
        Assert.Equal(Vocabulary.ReadReleasedFile(name, "token2id.json"), v.ToToken2IdJson());
        Assert.Equal(Vocabulary.ReadReleasedFile(name, "id2token.json"), v.ToId2TokenJson());
    }

    [Fact]
    public void Covctr_vocabulary_starts_as_the_file_does()
    {
        var v = Vocabulary.LoadReleased("covctr");
        Assert.Equal(",", v.TokenOf(4));
        Assert.Equal(".", v.TokenOf(5));
        Assert.Equal("a", v.TokenOf(6));
        Assert.Equal(16, v.IdOf("arcshaped"));
        Assert.StartsWith("{\"<sos>\": 1, \"<eos>\": 2, \"<pad>\": 0, \"<unk>\": 3, \",\": 4, \".\": 5, \"a\": 6", v.ToToken2IdJson());
    }

    [Fact]
    public void Build_matches_python_counter_sort_and_json_dump()
    {
        var fx = DataFixtures.Json("tokenizer.json");
        var reports = fx.GetProperty("reports").EnumerateArray().Select(e => e.GetString()!).ToList();
        var v = Vocabulary.Build(reports, fx.GetProperty("min_frequency").GetInt32());
        Assert.Equal(fx.GetProperty("token2id_json").GetString(), v.ToToken2IdJson());
        Assert.Equal(fx.GetProperty("id2token_json").GetString(), v.ToId2TokenJson());
        // The emoji sorts after U+FF21 (code point order), and non-ASCII is written as \u escapes.
        Assert.True(v.IdOf("\U0001F600") > v.IdOf("\uFF21"));
        Assert.Contains("\"\\ud83d\\ude00\"", v.ToToken2IdJson());
        Assert.Empty(v.OfficialRuleViolations());
    }

    [Fact]
    public void Build_counts_tokens_by_python_split_and_applies_min_frequency()
    {
        var v = Vocabulary.Build(["b a a", "a\u001Cb", "c c c b", "<unk> <unk> <unk>"], minFrequency: 3);
        Assert.Equal(["<pad>", "<sos>", "<eos>", "<unk>", "a", "b", "c"], v.Tokens);
        var v1 = Vocabulary.Build(["z y"], minFrequency: 1);
        Assert.Equal(["y", "z"], v1.Tokens.Skip(4));
    }

    [Fact]
    public void Save_and_load_round_trip()
    {
        using var tmp = new DataFixtures.TempDir();
        var v = Vocabulary.Build(["x y x y x y \u00e9 \u00e9 \u00e9 \"q\" \"q\" \"q\""]);
        v.Save(tmp.Path);
        var back = Vocabulary.LoadDirectory(tmp.Path);
        Assert.Equal(v.Tokens, back.Tokens);
        Assert.Equal(v.ToToken2IdJson(), File.ReadAllText(Path.Combine(tmp.Path, "token2id.json"), Encoding.UTF8));
        Assert.Empty(back.OfficialRuleViolations());
    }

    [Fact]
    public void Malformed_token2id_errors_name_the_key()
    {
        var e1 = Assert.Throws<InvalidDataException>(() => Vocabulary.ParseToken2Id("{\"<sos>\": 1, \"<eos>\": 2, \"<pad>\": 0, \"<unk>\": 3, \"a\": \"4\"}", "t.json"));
        Assert.Contains("t.json", e1.Message);
        Assert.Contains("\"a\"", e1.Message);
        var e2 = Assert.Throws<InvalidDataException>(() => Vocabulary.ParseToken2Id("{\"<sos>\": 1, \"<eos>\": 2, \"<pad>\": 0, \"<unk>\": 3, \"a\": 4, \"b\": 4}", "t.json"));
        Assert.Contains("\"a\" and \"b\" both have id 4", e2.Message);
        var e3 = Assert.Throws<InvalidDataException>(() => Vocabulary.ParseToken2Id("{\"<sos>\": 1, \"<eos>\": 2, \"<unk>\": 0, \"<pad>\": 3}", "t.json"));
        Assert.Contains("id 0 must be \"<pad>\"", e3.Message);
        var e4 = Assert.Throws<InvalidDataException>(() => Vocabulary.ParseToken2Id("{\"<sos>\": 1, \"<eos>\": 2, \"<pad>\": 0, \"<unk>\": 3, \"a\": 7}", "t.json"));
        Assert.Contains("outside 0..4", e4.Message);
        Assert.Throws<InvalidDataException>(() => Vocabulary.ParseToken2Id("[1, 2]", "t.json"));
        Assert.Throws<InvalidDataException>(() => Vocabulary.ParseToken2Id("{not json", "t.json"));
    }

    [Fact]
    public void Rule_violations_are_reported()
    {
        var unsorted = Vocabulary.ParseToken2Id("{\"<sos>\": 1, \"<eos>\": 2, \"<pad>\": 0, \"<unk>\": 3, \"b\": 4, \"a\": 5}");
        Assert.Contains(unsorted.OfficialRuleViolations(), p => p.Contains("not in increasing code point order"));
        var order = Vocabulary.ParseToken2Id("{\"<pad>\": 0, \"<sos>\": 1, \"<eos>\": 2, \"<unk>\": 3, \"a\": 4}");
        Assert.Contains(order.OfficialRuleViolations(), p => p.Contains("key 0 of token2id.json should be \"<sos>\""));
    }

    [Fact]
    public void Id2token_must_be_the_inverse()
    {
        using var tmp = new DataFixtures.TempDir();
        string t2i = tmp.File("token2id.json", "{\"<sos>\": 1, \"<eos>\": 2, \"<pad>\": 0, \"<unk>\": 3, \"a\": 4}");
        string bad = tmp.File("id2token.json", "{\"1\": \"<sos>\", \"2\": \"<eos>\", \"0\": \"<pad>\", \"3\": \"<unk>\", \"4\": \"b\"}");
        var e = Assert.Throws<InvalidDataException>(() => Vocabulary.Load(t2i, bad));
        Assert.Contains("id2token.json: id 4 is \"b\"", e.Message);
        string missing = tmp.File("id2.json", "{\"1\": \"<sos>\", \"2\": \"<eos>\", \"0\": \"<pad>\", \"3\": \"<unk>\"}");
        Assert.Contains("id 4 (\"a\") is missing", Assert.Throws<InvalidDataException>(() => Vocabulary.Load(t2i, missing)).Message);
        Assert.Throws<FileNotFoundException>(() => Vocabulary.Load(Path.Combine(tmp.Path, "nope.json")));
        Assert.Throws<ArgumentException>(() => Vocabulary.LoadReleased("iuxray"));
    }

    [Fact]
    public void Python_json_string_escaping()
    {
        var sb = new StringBuilder();
        PythonJson.AppendString(sb, "a\"b\\c\n\t\u0001\u007f\u00e9\U0001F600/");
        Assert.Equal("\"a\\\"b\\\\c\\n\\t\\u0001\\u007f\\u00e9\\ud83d\\ude00/\"", sb.ToString());
    }
}

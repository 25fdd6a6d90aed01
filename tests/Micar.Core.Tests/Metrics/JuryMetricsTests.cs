using System.Text.Json;
using Micar.Metrics;
using Xunit;

namespace Micar.Tests.Metrics;

/// <summary>jury flavour against the generated corpora (nltk METEOR, numpy bootstrap, compute_bleu transcription).</summary>
public sealed class JuryMetricsTests
{
    private const double Tol = 1e-12;
    private static readonly JuryOptions Options = new() { WordNet = WordNetDatabase.Embedded };

    [Theory]
    [InlineData("covctr")]
    [InlineData("roco")]
    public void CorpusParity(string corpus)
    {
        var expected = MetricFixtures.Json($"{corpus}-expected.json");
        var pairs = MetricPairs.ReadTsv(MetricFixtures.Path(expected.GetProperty("pairs_file").GetString()!));
        Assert.Equal(expected.GetProperty("count").GetInt32(), pairs.Predictions.Count);
        var jury = expected.GetProperty("jury");

        var scores = JuryMetrics.Compute(pairs.Predictions, pairs.References, Options);
        var bleu = jury.GetProperty("bleu").EnumerateArray().ToArray();
        Assert.Equal(bleu[0].GetProperty("score").GetDouble(), scores.Bleu1, Tol);
        Assert.Equal(bleu[1].GetProperty("score").GetDouble(), scores.Bleu2, Tol);
        Assert.Equal(bleu[2].GetProperty("score").GetDouble(), scores.Bleu3, Tol);
        Assert.Equal(bleu[3].GetProperty("score").GetDouble(), scores.Bleu4, Tol);
        Assert.Equal(jury.GetProperty("meteor_mean").GetDouble(), scores.Meteor, Tol);
        Assert.Equal(jury.GetProperty("rouge_l_mean").GetDouble(), scores.RougeLMean, Tol);
        Assert.Equal(jury.GetProperty("rouge_l_mid").GetProperty("115111211").GetDouble(), scores.RougeL, Tol);
        Assert.Equal(jury.GetProperty("score").GetDouble(), scores.Score, Tol);
        Assert.Equal(jury.GetProperty("score_with_rouge_l_mean").GetDouble(), scores.ScoreWithRougeLMean, Tol);

        var other = JuryMetrics.Compute(pairs.Predictions, pairs.References, Options with { Seed = 123456 });
        Assert.Equal(jury.GetProperty("rouge_l_mid").GetProperty("123456").GetDouble(), other.RougeL, Tol);
    }

    [Theory]
    [InlineData("covctr")]
    [InlineData("roco")]
    public void PerPairParity(string corpus)
    {
        var expected = MetricFixtures.Json($"{corpus}-expected.json");
        var pairs = MetricPairs.ReadTsv(MetricFixtures.Path(expected.GetProperty("pairs_file").GetString()!));
        var jury = expected.GetProperty("jury");
        var meteorExpected = MetricFixtures.Doubles(jury.GetProperty("meteor"));
        var rougeExpected = MetricFixtures.Doubles(jury.GetProperty("rouge_l"));
        var meteor = new NltkMeteor(WordNetDatabase.Embedded);
        for (int i = 0; i < pairs.Predictions.Count; i++)
        {
            var h = JuryTokenizer.Tokenize(pairs.Predictions[i]);
            var r = JuryTokenizer.Tokenize(pairs.References[i]);
            Assert.True(Math.Abs(meteorExpected[i] - meteor.Score(h, r)) <= Tol, $"METEOR of pair {i}");
            Assert.True(Math.Abs(rougeExpected[i] - JuryRougeL.PairF1(pairs.Predictions[i], pairs.References[i])) <= Tol, $"ROUGE-L of pair {i}");
        }
    }

    [Theory]
    [InlineData("covctr")]
    [InlineData("roco")]
    public void BleuDetailParity(string corpus)
    {
        var expected = MetricFixtures.Json($"{corpus}-expected.json");
        var pairs = MetricPairs.ReadTsv(MetricFixtures.Path(expected.GetProperty("pairs_file").GetString()!));
        var bleu = JuryBleu.ComputeOrders(
            pairs.Predictions.Select(JuryTokenizer.Tokenize).ToArray(), pairs.References.Select(JuryTokenizer.Tokenize).ToArray());
        foreach (var (e, k) in expected.GetProperty("jury").GetProperty("bleu").EnumerateArray().Select((e, i) => (e, i)))
        {
            Assert.Equal(MetricFixtures.Doubles(e.GetProperty("precisions")), bleu[k].Precisions);
            Assert.Equal(e.GetProperty("brevity_penalty").GetDouble(), bleu[k].BrevityPenalty);
            Assert.Equal(e.GetProperty("length_ratio").GetDouble(), bleu[k].LengthRatio);
            Assert.Equal(e.GetProperty("translation_length").GetInt32(), bleu[k].TranslationLength);
            Assert.Equal(e.GetProperty("reference_length").GetInt32(), bleu[k].ReferenceLength);
        }
    }

    [Fact]
    public void IdenticalTextsScorePerfectly()
    {
        string[] texts = ["the heart is normal in size .", "no pleural effusion or pneumothorax .", "axial ct shows a mass ."];
        var scores = JuryMetrics.Compute(texts, texts, Options);
        Assert.Equal(1.0, scores.Bleu1, Tol);
        Assert.Equal(1.0, scores.Bleu2, Tol);
        Assert.Equal(1.0, scores.Bleu3, Tol);
        Assert.Equal(1.0, scores.Bleu4, Tol);
        Assert.Equal(1.0, scores.RougeL, Tol);
        Assert.Equal(1.0, scores.RougeLMean, Tol);
        // METEOR of an identical pair is 1 − γ·(1/m)³ (one chunk), never exactly 1.
        Assert.Equal(1 - 0.5 / Math.Pow(6, 3), new NltkMeteor(WordNetDatabase.Embedded).Score(
            JuryTokenizer.Tokenize(texts[0]), JuryTokenizer.Tokenize(texts[0])), Tol);
    }

    [Theory]
    [InlineData("covctr")]
    [InlineData("roco")]
    public void ScoresLieInUnitInterval(string corpus)
    {
        var pairs = MetricPairs.ReadTsv(MetricFixtures.Path($"{corpus}-pairs.tsv"));
        var s = JuryMetrics.Compute(pairs.Predictions, pairs.References, Options);
        foreach (var v in (double[])[s.Bleu1, s.Bleu2, s.Bleu3, s.Bleu4, s.Meteor, s.RougeL, s.RougeLMean, s.Score])
            Assert.InRange(v, 0.0, 1.0);
        Assert.True(s.Bleu1 >= s.Bleu2 && s.Bleu2 >= s.Bleu3 && s.Bleu3 >= s.Bleu4);
    }

    [Fact]
    public void PunctuationOnlyPredictionCountsAsEmpty()
    {
        var withPunct = JuryMetrics.Compute([". , ;", "the heart is normal ."], ["a b c", "the heart is normal ."], Options);
        var withEmpty = JuryMetrics.Compute(["", "the heart is normal ."], ["a b c", "the heart is normal ."], Options);
        Assert.Equal(withEmpty, withPunct);
        Assert.Equal(0.0, JuryRougeL.PairF1(". , ;", "a b c"));
    }

    [Fact]
    public void AllEmptyPredictionsOrReferencesThrow()
    {
        var e = Assert.Throws<ArgumentException>(() => JuryMetrics.Compute(["", " . "], ["a b", "c"], Options));
        Assert.Contains("ZeroDivisionError", e.Message);
        e = Assert.Throws<ArgumentException>(() => JuryMetrics.Compute(["a b", "c"], ["", "-"], Options));
        Assert.Contains("reference length 0", e.Message);
    }

    [Fact]
    public void BadArgumentsAreNamed()
    {
        Assert.Throws<ArgumentException>(() => JuryMetrics.Compute([], [], Options));
        var e = Assert.Throws<ArgumentException>(() => JuryMetrics.Compute(["a"], ["a", "b"], Options));
        Assert.Contains("1 predictions, 2 references", e.Message);
        var n = Assert.Throws<ArgumentNullException>(() => JuryMetrics.Compute(["a", null!], ["a", "b"], Options));
        Assert.Contains("prediction 1", n.Message);
    }

    [Fact]
    public void ShortHypothesesAddNothingToPossibleNGrams()
    {
        // "a" has no bigram: d₂ counts only the second hypothesis.
        var bleu = JuryBleu.ComputeOrders([["a"], ["a", "b", "c"]], [["a"], ["a", "b", "d"]], 2);
        Assert.Equal([3.0 / 4, 1.0 / 2], bleu[1].Precisions);
        Assert.Equal(Math.Sqrt(3.0 / 4 * (1.0 / 2)), bleu[1].Score, Tol);
    }

    [Fact]
    public void RepeatedNGramsAreClipped()
    {
        var bleu = JuryBleu.ComputeOrders([["the", "the", "the", "the"]], [["the", "cat", "the", "end"]], 1);
        Assert.Equal(0.5, bleu[0].Precisions[0]);
    }

    [Fact]
    public void UnkTokensMatchUnderJ()
    {
        var bleu = JuryBleu.ComputeOrders([JuryTokenizer.Tokenize("<unk> mass")], [JuryTokenizer.Tokenize("unk mass")], 2);
        Assert.Equal(1.0, bleu[1].Score, Tol);
    }

    [Fact]
    public void WordNetSourceIsHonoured()
    {
        // "scan" reaches "skim" in WordNet 3.0 but not in the mini database (values from nltk).
        string[] h = ["ct scan of the chest"], r = ["ct skim of the chest"];
        Assert.Equal(0.996, JuryMetrics.Compute(h, r, Options).Meteor, Tol);
        var mini = new JuryOptions { WordNetDirectory = MetricFixtures.Path("wordnet-mini") };
        Assert.Equal(0.7500000000000001, JuryMetrics.Compute(h, r, mini).Meteor, Tol);
    }

    [Fact]
    public void JsonOfScoresUsesStableNames()
    {
        var s = JuryMetrics.Compute(["a b c"], ["a b c"], Options);
        var json = JsonDocument.Parse(JsonSerializer.Serialize(s)).RootElement;
        string[] names = ["bleu1", "bleu2", "bleu3", "bleu4", "meteor", "rougeL", "rougeLMean", "rougeLSeed", "bootstrapSamples", "score", "scoreWithRougeLMean"];
        Assert.Equal(names, json.EnumerateObject().Select(p => p.Name));
    }
}

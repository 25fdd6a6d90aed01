using Micar.Metrics;
using Xunit;

namespace Micar.Tests.Metrics;

/// <summary>coco flavour against the generated corpora (pycocoevalcap transcriptions) and hand-computed cases.</summary>
public sealed class CocoMetricsTests
{
    private const double Tol = 1e-12;

    [Theory]
    [InlineData("covctr", "r2gen", CocoTokenization.R2Gen)]
    [InlineData("covctr", "approximatePtb", CocoTokenization.ApproximatePtb)]
    [InlineData("roco", "r2gen", CocoTokenization.R2Gen)]
    [InlineData("roco", "approximatePtb", CocoTokenization.ApproximatePtb)]
    public void CorpusParity(string corpus, string key, CocoTokenization tokenization)
    {
        var expected = MetricFixtures.Json($"{corpus}-expected.json").GetProperty("coco").GetProperty(key);
        var pairs = MetricPairs.ReadTsv(MetricFixtures.Path($"{corpus}-pairs.tsv"));
        var scores = CocoMetrics.Compute(pairs.Predictions, pairs.References, tokenization);
        var bleu = MetricFixtures.Doubles(expected.GetProperty("bleu"));
        Assert.Equal(bleu[0], scores.Bleu1, Tol);
        Assert.Equal(bleu[1], scores.Bleu2, Tol);
        Assert.Equal(bleu[2], scores.Bleu3, Tol);
        Assert.Equal(bleu[3], scores.Bleu4, Tol);
        Assert.Equal(expected.GetProperty("rouge_l").GetDouble(), scores.RougeL, Tol);
        Assert.Equal(expected.GetProperty("cider_d").GetDouble(), scores.CiderD, Tol);
        Assert.Null(scores.Meteor);

        var preds = pairs.Predictions;
        var refs = pairs.References;
        if (tokenization == CocoTokenization.ApproximatePtb)
        {
            preds = preds.Select(CocoMetrics.ApproximatePtb).ToList();
            refs = refs.Select(CocoMetrics.ApproximatePtb).ToList();
        }
        var rougeItems = MetricFixtures.Doubles(expected.GetProperty("rouge_l_items"));
        var ciderItems = MetricFixtures.Doubles(expected.GetProperty("cider_d_items"));
        var rouge = CocoRougeL.Compute(preds, refs).ItemScores;
        var cider = CocoCiderD.Compute(preds, refs).ItemScores;
        for (int i = 0; i < preds.Count; i++)
        {
            Assert.True(Math.Abs(rougeItems[i] - rouge[i]) <= Tol, $"ROUGE-L of item {i}");
            Assert.True(Math.Abs(ciderItems[i] - cider[i]) <= 1e-11, $"CIDEr-D of item {i}");
        }
    }

    [Fact]
    public void IdenticalTextsGiveBleuAndRougeOne()
    {
        string[] texts = ["the heart is normal in size .", "no pleural effusion or pneumothorax .", "axial ct shows a mass ."];
        var s = CocoMetrics.Compute(texts, texts);
        Assert.Equal(1.0, s.Bleu1, 1e-9);
        Assert.Equal(1.0, s.Bleu4, 1e-9);
        Assert.Equal(1.0, s.RougeL, Tol);
    }

    [Fact]
    public void CiderOfSingleItemIsZero() =>
        Assert.Equal(0.0, CocoCiderD.Compute(["a b c"], ["a b c"]).Score);

    [Fact]
    public void CiderOfExactCopyIsTen()
    {
        // Two items with disjoint vocabularies: every n-gram has df 1, weight tf·ln 2 > 0.
        var cider = CocoCiderD.Compute(["a b c d e", "v w x y z"], ["a b c d e", "p q r s t"]);
        Assert.Equal(10.0, cider.ItemScores[0], Tol);
        Assert.Equal(0.0, cider.ItemScores[1]);
        Assert.Equal(5.0, cider.Score, Tol);
    }

    [Fact]
    public void CiderLengthPenaltyUsesBigramCounts()
    {
        // Hypothesis "a b c" against "a b c d": unigram part hand-computed.
        // df: every reference n-gram of item 0 has df 1 (item 1 shares none); L = ln 2.
        var cider = CocoCiderD.Compute(["a b c", "z"], ["a b c d", "y"]);
        double l = Math.Log(2);
        double unigram = 3 * l * l / (Math.Sqrt(3) * l * Math.Sqrt(4) * l);
        double bigram = 2 * l * l / (Math.Sqrt(2) * l * Math.Sqrt(3) * l);
        double trigram = 1 * l * l / (1 * l * Math.Sqrt(2) * l);
        double penalty = Math.Pow(Math.E, -1.0 / 72);
        double expected = 10 * (unigram + bigram + trigram + 0) * penalty / 4;
        Assert.Equal(expected, cider.ItemScores[0], Tol);
    }

    [Fact]
    public void RougeLUsesBeta12AndSingleSpaceSplit()
    {
        // LCS 4 of 6 candidate tokens and 5 reference tokens.
        double p = 4.0 / 6, r = 4.0 / 5, b2 = 1.2 * 1.2;
        Assert.Equal((1 + b2) * p * r / (r + b2 * p), CocoRougeL.ItemScore("the heart is normal in size", ["the heart size is normal"]), Tol);
        // A double space makes an empty token that matches the reference's empty token.
        Assert.Equal(1.0, CocoRougeL.ItemScore("a  b", ["a  b"]), Tol);
        Assert.Equal(0.0, CocoRougeL.ItemScore("", ["a b"]));
        // Precision and recall are maximised separately over references.
        double mixed = CocoRougeL.ItemScore("a b", ["a", "a b c d"]);
        double pm = 1.0, rm = 1.0; // P from "a b c d" (2/2), R from "a" (1/1)
        Assert.Equal((1 + b2) * pm * rm / (rm + b2 * pm), mixed, Tol);
    }

    [Fact]
    public void BleuTakesClosestReferenceLengthTiesToShorter()
    {
        // Hypothesis of 3 tokens, references of 2 and 4 tokens: tie, the shorter (2) is used, ratio 1.5, no BP.
        var tie = CocoBleu.ComputeMultiReference(["a b c"], [["a b", "a b c d"]]);
        Assert.Equal((3 + 1e-15) / (3 + 1e-9), tie[0], Tol);
        // References of 5 and 6 tokens: 5 is closest, ratio 3/5 gives the brevity penalty exp(1 − 5/3).
        var bp = CocoBleu.ComputeMultiReference(["a b c"], [["a b c d e", "a b c d e f"]]);
        double ratio = (3 + 1e-15) / (5 + 1e-9);
        Assert.Equal((3 + 1e-15) / (3 + 1e-9) * Math.Exp(1 - 1 / ratio), bp[0], Tol);
    }

    [Fact]
    public void BleuKeepsPunctuationAndHyphenatedTokens()
    {
        // "t2-weighted" is one token for coco; under J it would be two.
        var bleu = CocoBleu.Compute(["t2-weighted image ."], ["t2 weighted image ."]);
        Assert.Equal((2 + 1e-15) / (3 + 1e-9) * Math.Exp(1 - 1 / ((3 + 1e-15) / (4 + 1e-9))), bleu[0], Tol);
    }

    [Fact]
    public void ApproximatePtbDropsListedTokensOnly()
    {
        // Lower-casing turns -LRB- into -lrb-, which the case-sensitive filter keeps (metrics.md §4.1).
        Assert.Equal("heart normal -lrb- x", CocoMetrics.ApproximatePtb("Heart , Normal -LRB- x"));
        Assert.Equal("a b", CocoMetrics.ApproximatePtb("a . , ; : ! ? - -- ... ' '' ` `` b"));
    }

    [Fact]
    public void MismatchedListsAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => CocoMetrics.Compute(["a"], []));
        Assert.Contains("1 hypotheses, 0 reference lists", e.Message);
        Assert.Throws<ArgumentException>(() => CocoBleu.ComputeMultiReference(["a"], [[]]));
    }
}

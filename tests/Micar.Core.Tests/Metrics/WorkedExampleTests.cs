using Micar.Metrics;
using Xunit;

namespace Micar.Tests.Metrics;

/// <summary>Every number of the worked examples in metrics.md §7 (computed there by jury, nltk, rouge_score, pycocoevalcap).</summary>
public sealed class WorkedExampleTests
{
    private const double Tol = 1e-12;

    private static readonly (string Prediction, string Reference)[] Pairs =
    [
        ("the heart is normal in size .", "the heart size is normal ."),
        ("no pleural effusion or pneumothorax .", "there is no pleural effusion or pneumothorax ."),
        ("axial ct showing a large mass in the left lung .", "axial ct scan shows a large mass in the right lung ."),
        ("", "chest x-ray shows bilateral opacities ."),
        ("mri shows a tumor in the liver .", "mri shows a tumour in the liver ."),
        ("enhancing lesions , t2-weighted <unk> .", "enhancement of the lesion on t2 weighted image ."),
    ];

    private static readonly JuryOptions Options = new() { WordNet = WordNetDatabase.Embedded };

    private static string[] Predictions => Pairs.Select(p => p.Prediction).ToArray();

    private static string[] References => Pairs.Select(p => p.Reference).ToArray();

    // id (0-based), jury B1..B4, METEOR, jury ROUGE-L F, coco B1, coco B4, coco ROUGE-L
    public static TheoryData<int, double, double, double, double, double, double, double, double, double> SinglePairs => new()
    {
        { 0, 0.8333333333333334, 0.5773502691896258, 0, 0, 0.8745098039215687, 0.7272727272727272, 0.8571428570204083, 1.0932651137215033e-08, 0.7800511508951408 },
        { 1, 0.6703200460356393, 0.6703200460356393, 0.6703200460356393, 0.6703200460356393, 0.7323529411764707, 0.8333333333333333, 0.7165313103349458, 0.7165313102841915, 0.8356164383561644 },
        { 2, 0.7238699344287677, 0.6032249453573064, 0.4979512210720655, 0.42268392163412416, 0.8103975535168196, 0.761904761904762, 0.747082404095109, 0.4106517146460222, 0.7765205091937766 },
        { 4, 0.8571428571428571, 0.7559289460184544, 0.6114214174657597, 0, 0.9985422740524781, 0.8571428571428571, 0.8749999997812503, 0.49999999985818483, 0.875 },
        { 5, 0.21952465443761057, 0.17354947764605982, 0, 0, 0.4099025974025974, 0.3076923076923077, 0.10108844325174288, 7.830277143606023e-13, 0.12869198312236285 },
    };

    [Theory]
    [MemberData(nameof(SinglePairs))]
    public void EachPairScoredAlone(int id, double b1, double b2, double b3, double b4, double meteor, double rouge,
        double cocoB1, double cocoB4, double cocoRouge)
    {
        var (p, r) = Pairs[id];
        var jury = JuryMetrics.Compute([p], [r], Options);
        Assert.Equal(b1, jury.Bleu1, Tol);
        Assert.Equal(b2, jury.Bleu2, Tol);
        Assert.Equal(b3, jury.Bleu3, Tol);
        Assert.Equal(b4, jury.Bleu4, Tol);
        Assert.Equal(meteor, jury.Meteor, Tol);
        Assert.Equal(rouge, jury.RougeLMean, Tol);
        Assert.Equal(rouge, jury.RougeL, Tol); // N = 1: nothing is drawn, the mid is the value
        var coco = CocoMetrics.Compute([p], [r]);
        Assert.Equal(cocoB1, coco.Bleu1, Tol);
        Assert.Equal(cocoB4, coco.Bleu4, Math.Abs(cocoB4) * 1e-9);
        Assert.Equal(cocoRouge, coco.RougeL, Tol);
        // Exact zeros stay exact: no smoothing in jury BLEU.
        if (b3 == 0) Assert.Equal(0.0, jury.Bleu3);
        if (b4 == 0) Assert.Equal(0.0, jury.Bleu4);
    }

    [Fact]
    public void EmptyPredictionAloneFailsLikeUpstream()
    {
        var e = Assert.Throws<ArgumentException>(() => JuryMetrics.Compute([""], [Pairs[3].Reference], Options));
        Assert.Contains("translation length 0", e.Message);
        var meteor = new NltkMeteor(WordNetDatabase.Embedded);
        Assert.Equal(0.0, meteor.Score([], JuryTokenizer.Tokenize(Pairs[3].Reference)));
        Assert.Equal(0.0, JuryRougeL.PairF1("", Pairs[3].Reference));
        var coco = CocoMetrics.Compute([""], [Pairs[3].Reference]);
        Assert.Equal(0.0, coco.Bleu1);
        Assert.Equal(0.0, coco.RougeL);
        Assert.Equal(0.0, coco.CiderD);
    }

    [Fact]
    public void MeteorTraces()
    {
        var meteor = new NltkMeteor(WordNetDatabase.Embedded);
        double Score(int id, out IReadOnlyList<(int, int)> alignment) => meteor.Score(
            JuryTokenizer.Tokenize(Pairs[id].Prediction), JuryTokenizer.Tokenize(Pairs[id].Reference), out alignment);

        Assert.Equal(0.8745098039215687, Score(0, out var e1), Tol);
        Assert.Equal([(0, 0), (1, 1), (2, 3), (3, 4), (5, 2)], e1);

        Score(2, out var e3);
        Assert.Equal(9, e3.Count);
        Assert.Contains((2, 3), e3); // showing / shows via the stem "show"

        Assert.Equal(1 - 0.5 / 343, Score(4, out var e5), Tol);
        Assert.Equal(7, e5.Count);
        Assert.Contains((3, 3), e5); // tumor / tumour via WordNet

        Assert.Equal(0.4099025974025974, Score(5, out var e6), Tol);
        Assert.Equal([(0, 0), (1, 3), (2, 5), (3, 6)], e6);
    }

    [Fact]
    public void CorpusJuryFlavour()
    {
        var jury = JuryMetrics.Compute(Predictions, References, Options);
        Assert.Equal(0.5645398204520764, jury.Bleu1, Tol);
        Assert.Equal(0.48077940140069464, jury.Bleu2, Tol);
        Assert.Equal(0.3862154793778656, jury.Bleu3, Tol);
        Assert.Equal(0.30947667476854873, jury.Bleu4, Tol);
        Assert.Equal(0.6376175283449891, jury.Meteor, Tol);
        Assert.Equal(0.5812243312243313, jury.RougeLMean, Tol);
        Assert.Equal(0.586996336996337, jury.RougeL, Tol);
        Assert.Equal(JuryOptions.OfficialSeed, jury.RougeLSeed);
        Assert.Equal(0.5237798883352297, jury.Score, Tol);
        Assert.Equal(0.5223368868922282, jury.ScoreWithRougeLMean, Tol);

        var other = JuryMetrics.Compute(Predictions, References, Options with { Seed = 123456 });
        Assert.Equal(0.5841103341103341, other.RougeL, Tol);
    }

    [Fact]
    public void CorpusJuryBleu4Details()
    {
        var bleu = JuryBleu.ComputeOrders(
            Predictions.Select(JuryTokenizer.Tokenize).ToArray(), References.Select(JuryTokenizer.Tokenize).ToArray());
        var b4 = bleu[3];
        Assert.Equal(33, b4.TranslationLength);
        Assert.Equal(44, b4.ReferenceLength);
        Assert.Equal(0.7165313105737893, b4.BrevityPenalty, Tol);
        Assert.Equal(Math.Exp(1 - 44.0 / 33), b4.BrevityPenalty, Tol);
        Assert.Equal(33.0 / 44, b4.LengthRatio, Tol);
        Assert.Equal([26.0 / 33, 16.0 / 28, 8.0 / 23, 4.0 / 18], b4.Precisions);
        Assert.All(bleu, b => Assert.Equal(b4.BrevityPenalty, b.BrevityPenalty));
    }

    [Fact]
    public void CorpusCocoFlavourR2Gen()
    {
        var coco = CocoMetrics.Compute(Predictions, References);
        Assert.Equal(CocoTokenization.R2Gen, coco.Tokenization);
        Assert.Equal(0.5713438770955966, coco.Bleu1, Tol);
        Assert.Equal(0.48302505598956835, coco.Bleu2, Tol);
        Assert.Equal(0.3966019281939168, coco.Bleu3, Tol);
        Assert.Equal(0.3322329968169922, coco.Bleu4, Tol);
        Assert.Equal(0.5659800135945742, coco.RougeL, Tol);
        Assert.Equal(3.48465457467131, coco.CiderD, Tol);
        Assert.Null(coco.Meteor);
        var items = CocoCiderD.Compute(Predictions, References).ItemScores;
        double[] expected = [3.240765057757677, 7.855712006890068, 4.563197470078242, 0, 5.248252913301873, 0];
        Assert.Equal(expected.Length, items.Count);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], items[i], Tol);
    }

    [Fact]
    public void CorpusCocoFlavourApproximatePtb()
    {
        var coco = CocoMetrics.Compute(Predictions, References, CocoTokenization.ApproximatePtb);
        Assert.Equal(0.5318296367948097, coco.Bleu1, Tol);
        Assert.Equal(0.45772607251552816, coco.Bleu2, Tol);
        Assert.Equal(0.3780332151660563, coco.Bleu3, Tol);
        Assert.Equal(0.3081257937675707, coco.Bleu4, Tol);
        Assert.Equal(0.5268288868054001, coco.RougeL, Tol);
        Assert.Equal(3.315777359629685, coco.CiderD, Tol);
    }

    [Fact]
    public void CocoBleu3OfE1IsTinyButNotZero()
    {
        var bleu = CocoBleu.Compute([Pairs[0].Prediction], [Pairs[0].Reference]);
        Assert.InRange(bleu[2], 3.8e-6, 4.0e-6);
    }
}

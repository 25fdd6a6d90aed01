using Micar.Data.Synthetic;
using Xunit;

namespace Micar.Tests.Synthetic;

public sealed class FindingScorerTests
{
    private static FindingSet Set(params string[] codes) => new(codes.Select(Finding.Parse));

    [Fact]
    public void MicroAveragesOverTheCorpus()
    {
        // Report 1: reference {ggo R lower, nodule L upper}; prediction {ggo R lower (other size), nodule L lower}.
        // Report 2: reference {}; prediction {cavity R upper}.
        // Report 3: reference {effusion L}; prediction {effusion L}.
        // (type, side, zone): TP = 1 + 0 + 1 = 2, predicted 4, reference 3 → P 0.5, R 2/3, F1 4/7; exact 1 of 3.
        var pairs = new[]
        {
            (Set("ggo:right:lower:subpleural:small:ill", "nodule:left:lower:central:small:well"),
             Set("ggo:right:lower:subpleural:large:ill", "nodule:left:upper:central:small:well")),
            (Set("cavity:right:upper:central:small:well"), FindingSet.Empty),
            (Set("effusion:left:na:na:large:na"), Set("effusion:left:na:na:small:na")),
        };
        var s = FindingScorer.ScoreSets(pairs);
        Assert.Equal((3, 4, 3, 2), (s.Reports, s.Predicted, s.Reference, s.TruePositives));
        Assert.Equal(0.5, s.Precision, 12);
        Assert.Equal(2.0 / 3, s.Recall, 12);
        Assert.Equal(4.0 / 7, s.F1, 12);
        Assert.Equal(1.0 / 3, s.ExactMatch, 12);

        // Type only: report 1 matches both (ggo, nodule) → TP 3, P 3/4, R 1, F1 6/7; exact 2 of 3.
        var t = FindingScorer.ScoreSets(pairs, FindingMatch.Type);
        Assert.Equal(3, t.TruePositives);
        Assert.Equal(0.75, t.Precision, 12);
        Assert.Equal(1.0, t.Recall, 12);
        Assert.Equal(6.0 / 7, t.F1, 12);
        Assert.Equal(2.0 / 3, t.ExactMatch, 12);

        // All attributes: only report 3's effusion differs in size, report 1's ggo in size → TP 0.
        Assert.Equal(0, FindingScorer.ScoreSets(pairs, FindingMatch.All).TruePositives);
    }

    [Fact]
    public void DuplicatesMatchAtMostOnce()
    {
        var s = FindingScorer.ScoreSets([(Set("nodule:right:upper:central:small:well", "nodule:right:upper:subpleural:large:ill"), Set("nodule:right:upper:central:small:well"))]);
        Assert.Equal((1, 2, 1), (s.TruePositives, s.Predicted, s.Reference));
        Assert.Equal(0.5, s.Precision, 12);
        Assert.Equal(1.0, s.Recall, 12);
    }

    [Fact]
    public void EmptyCountsFollowTheDocumentedConventions()
    {
        var normal = FindingScorer.ScoreSets([(FindingSet.Empty, FindingSet.Empty)]);
        Assert.Equal((1.0, 1.0, 1.0, 1.0), (normal.Precision, normal.Recall, normal.F1, normal.ExactMatch));

        var silent = FindingScorer.ScoreSets([(FindingSet.Empty, Set("ggo:left:lower:central:small:ill"))]);
        Assert.Equal((0.0, 0.0, 0.0), (silent.Precision, silent.Recall, silent.F1));

        var none = FindingScorer.ScoreSets([]);
        Assert.Equal((0, 1.0, 0.0), (none.Reports, none.F1, none.ExactMatch));
    }

    [Fact]
    public void ScoresReportTextsThroughTheExtractor()
    {
        var reference = ReportGrammar.Write(Set("ggo:right:lower:subpleural:large:ill", "nodule:left:upper:central:small:well"));
        const string prediction = "the thorax was symmetrical . large ground glass shadow in the right lower lobe . the mediastinum was centered .";
        var s = FindingScorer.Score([(prediction, reference)]);
        Assert.Equal((1, 2, 1), (s.TruePositives, s.Reference, s.Predicted));
        Assert.Equal(1.0, s.Precision, 12);
        Assert.Equal(0.5, s.Recall, 12);
    }
}

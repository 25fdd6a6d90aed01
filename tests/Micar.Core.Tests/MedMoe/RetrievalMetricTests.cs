using Xunit;
using Micar.Metrics;

namespace Micar.Tests.MedMoe;

/// <summary>Recall@K and zero-shot F1 on hand-worked cases.</summary>
public class RetrievalMetricTests
{
    static IReadOnlyList<IReadOnlyList<double>> M(params double[][] rows) => rows;

    [Fact]
    public void RanksCountIrrelevantItemsAtLeastAsHighAsTheBestRelevantOne()
    {
        var scores = M([0.9, 0.1, 0.5], [0.2, 0.3, 0.8], [0.7, 0.1, 0.7]);
        var ranks = Retrieval.Ranks(scores, Retrieval.SameKey(new[] { "a", "b", "c" }));
        Assert.Equal([0, 1, 1], ranks);                                // query 2 ties item 0: the tie counts against it
        Assert.Equal(1.0 / 3, Retrieval.RecallAt(ranks, 1), 12);
        Assert.Equal(1.0, Retrieval.RecallAt(ranks, 2), 12);
        var r = Retrieval.Recall(scores, Retrieval.SameKey(new[] { "a", "b", "c" }));
        Assert.Equal(new RecallAtK(1.0 / 3, 1, 1), r);
    }

    [Fact]
    public void EqualKeysAreRelevantToEachOther()
    {
        // items 0 and 2 carry the same report: for queries 0 and 2 either one is a hit (query 0's best is item 2, query
        // 2's is item 0), while for query 1 item 2 is simply a better-scored wrong report
        var keys = new[] { "normal", "nodule", "normal" };
        var rel = Retrieval.SameKey(keys);
        Assert.Equal([0, 2], rel[0].OrderBy(i => i));
        var scores = M([0.1, 0.2, 0.9], [0.0, 0.1, 0.2], [0.3, 0.1, 0.2]);
        Assert.Equal([0, 1, 0], Retrieval.Ranks(scores, rel));
    }

    [Fact]
    public void TransposeSwapsQueriesAndGallery()
    {
        var t = Retrieval.Transpose(M([1, 2, 3], [4, 5, 6]));
        Assert.Equal(3, t.Count);
        Assert.Equal([3.0, 6.0], t[2]);
    }

    [Fact]
    public void BadInputsAreRefused()
    {
        Assert.Throws<ArgumentException>(() => Retrieval.Ranks(M([1, 2]), [new HashSet<int>()]));
        Assert.Throws<ArgumentException>(() => Retrieval.Ranks(M([1, 2]), [new HashSet<int> { 2 }]));
        Assert.Throws<ArgumentException>(() => Retrieval.Ranks(M([1, double.NaN]), [new HashSet<int> { 0 }]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Retrieval.RecallAt([0], 0));
    }

    [Fact]
    public void ZeroShotPredictsByPromptPairAndScoresF1()
    {
        var predicted = ZeroShot.Predict(M([0.5, 0.1], [0.2, 0.3], [0.9, 0.9]), M([0.4, 0.2], [0.3, 0.1], [0.1, 0.9]));
        Assert.Equal([true, false], predicted[0]);
        Assert.Equal([false, true], predicted[1]);
        Assert.Equal([true, false], predicted[2]);                  // a tie is not positive
        bool[][] truth = [[true, false], [true, true], [false, false]];
        var s = ZeroShot.Score(predicted, truth);
        // class 0: tp 1, fp 1, fn 1 → 0.5; class 1: tp 1 → 1; micro: tp 2, fp 1, fn 1 → 4/6
        Assert.Equal([0.5, 1.0], s.PerClass);
        Assert.Equal(0.75, s.MacroF1, 12);
        Assert.Equal(4.0 / 6, s.MicroF1, 12);
        Assert.Equal(1.0, ZeroShot.Score([[false]], [[false]]).MacroF1);
        Assert.Equal(0.0, ZeroShot.Score([[true]], [[false]]).MacroF1);
    }
}

using Micar.Data.Synthetic;
using Micar.Training;
using Xunit;

namespace Micar.Tests.Metrics;

public class MetricIntervalsTests
{
    static (string[] Predictions, string[] References) Pairs(int n, int seed)
    {
        var rng = new Random(seed);
        var grammar = new[]
        {
            "the thorax was symmetrical . both lungs were clear . the mediastinum was centered .",
            "the thorax was symmetrical . small hilar nodule in the right upper lobe , with blurred margin . the mediastinum was centered .",
            "the thorax was symmetrical . large arcshaped liquid density in the posterior right pleura . the mediastinum was centered .",
            "the thorax was symmetrical . subpleural highdensity shadow in the left lower lobe , with blurred margin and air bronchial sign .",
        };
        var refs = Enumerable.Range(0, n).Select(_ => grammar[rng.Next(grammar.Length)]).ToArray();
        var preds = refs.Select(r => rng.NextDouble() < 0.6 ? r : grammar[rng.Next(grammar.Length)]).ToArray();
        return (preds, refs);
    }

    [Fact]
    public void Intervals_hold_the_full_sample_value_and_repeat_with_the_seed()
    {
        var (p, r) = Pairs(60, 1);
        var point = Scoring.Score(p, r, synthetic: true);
        var ci = MetricIntervals.Bootstrap(p, r, synthetic: true, samples: 300);
        Assert.Equal(["bleu1", "bleu2", "bleu3", "bleu4", "finding_f1", "finding_type_f1", "meteor", "rougeL"], ci.Keys.Order());
        foreach (var (key, (low, high)) in ci)
        {
            double value = key == "rougeL" ? p.Zip(r).Average(x => Micar.Metrics.JuryRougeL.PairF1(x.First, x.Second)) : point[key];
            Assert.True(low <= value && value <= high, $"{key}: {value} outside [{low}, {high}]");
            Assert.True(high - low > 0.01 && high - low < 0.6, $"{key}: implausible width [{low}, {high}]");
        }
        Assert.Equal(ci, MetricIntervals.Bootstrap(p, r, synthetic: true, samples: 300));
        // Perfect predictions: every resample scores 1.
        var perfect = MetricIntervals.Bootstrap(r, r, synthetic: true, samples: 50);
        Assert.Equal((1.0, 1.0), (perfect["bleu4"].Low, perfect["bleu4"].High));
        Assert.Equal(1.0, perfect["finding_f1"].Low, 9);
        // More reports, narrower intervals.
        var (p4, r4) = Pairs(240, 2);
        var wide = MetricIntervals.Bootstrap(p, r, synthetic: false, samples: 300)["bleu4"];
        var narrow = MetricIntervals.Bootstrap(p4, r4, synthetic: false, samples: 300)["bleu4"];
        Assert.True(narrow.High - narrow.Low < wide.High - wide.Low);
    }
}

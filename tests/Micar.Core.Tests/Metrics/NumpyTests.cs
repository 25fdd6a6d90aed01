using Micar.Metrics;
using Xunit;

namespace Micar.Tests.Metrics;

/// <summary>The numpy ports against values from real numpy (fixture numpy-random.json).</summary>
public sealed class NumpyTests
{
    private static readonly System.Text.Json.JsonElement Fixture = MetricFixtures.Json("numpy-random.json");

    [Fact]
    public void Mt19937RawOutputs()
    {
        var random = new Micar.Data.NumpyRandomState(Fixture.GetProperty("seed").GetUInt32());
        foreach (var expected in Fixture.GetProperty("raw_uint32").EnumerateArray())
            Assert.Equal(expected.GetUInt32(), random.NextUInt32());
    }

    [Fact]
    public void Mt19937ReferenceOutputForSeed5489()
    {
        // The MT19937 reference implementation's first output for init_genrand(5489).
        Assert.Equal(3499211612u, new Micar.Data.NumpyRandomState(5489).NextUInt32());
    }

    [Fact]
    public void ChoiceDraws()
    {
        uint seed = Fixture.GetProperty("seed").GetUInt32();
        foreach (var entry in Fixture.GetProperty("choice").EnumerateObject())
        {
            uint n = uint.Parse(entry.Name);
            var random = new Micar.Data.NumpyRandomState(seed);
            foreach (var expected in entry.Value.EnumerateArray())
                Assert.Equal(expected.GetUInt32(), random.NextInterval(n - 1));
        }
    }

    [Fact]
    public void MeanAndPercentileAreBitExact()
    {
        var values = MetricFixtures.Doubles(Fixture.GetProperty("mean_values"));
        Assert.Equal(Fixture.GetProperty("mean").GetDouble(), NumpyArithmetic.Mean(values));
        Assert.Equal(Fixture.GetProperty("percentile50").GetDouble(), NumpyArithmetic.PercentileLinear(values, 50));
        Assert.Equal(Fixture.GetProperty("percentile70").GetDouble(), NumpyArithmetic.PercentileLinear(values, 70));
    }

    [Fact]
    public void PairwiseSumDiffersFromNaiveSummationWhereNumpyDoes()
    {
        // 0.1 summed 1000 times: numpy's pairwise sum is 100.00000000000001 (naive: 99.9999999999986).
        var values = Enumerable.Repeat(0.1, 1000).ToArray();
        Assert.Equal(100.00000000000001, NumpyArithmetic.PairwiseSum(values));
        Assert.NotEqual(values.Aggregate(0.0, (a, b) => a + b), NumpyArithmetic.PairwiseSum(values));
    }

    [Fact]
    public void BootstrapWithOneValueIsThatValue()
    {
        Assert.Equal(0.25, JuryRougeL.BootstrapMid([0.25], JuryOptions.OfficialSeed));
    }
}

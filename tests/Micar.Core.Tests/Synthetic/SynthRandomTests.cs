using Micar.Data.Synthetic;
using Xunit;

namespace Micar.Tests.Synthetic;

public sealed class SynthRandomTests
{
    [Fact]
    public void SplitMix64_MatchesThePublishedSequenceForSeedZero()
    {
        ulong x = 0;
        Assert.Equal(0xE220A8397B1DCDAFUL, SynthRandom.SplitMix(ref x));
        Assert.Equal(0x6E789E6AA1B965F4UL, SynthRandom.SplitMix(ref x));
        Assert.Equal(0x06C45D188009454FUL, SynthRandom.SplitMix(ref x));
    }

    [Fact]
    public void Xoshiro256StarStar_MatchesTheReferenceOutputsForState1234()
    {
        var r = SynthRandom.FromState(1, 2, 3, 4);
        Assert.Equal(11520UL, r.NextUInt64());
        Assert.Equal(0UL, r.NextUInt64());
        Assert.Equal(1509978240UL, r.NextUInt64());
        Assert.Equal(1215971899390074240UL, r.NextUInt64());
    }

    [Fact]
    public void Seeding_RunsSplitMixIntoTheState()
    {
        // Reference algorithm (SplitMix64 seeding of xoshiro256**), seed 42, computed outside .NET.
        var r = new SynthRandom(42);
        Assert.Equal(0x15780B2E0C2EC716UL, r.NextUInt64());
        Assert.Equal(0x6104D9866D113A7EUL, r.NextUInt64());
        Assert.Equal(0xAE17533239E499A1UL, r.NextUInt64());
    }

    [Fact]
    public void FromState_RejectsTheAllZeroState() =>
        Assert.Throws<ArgumentException>(() => SynthRandom.FromState(0, 0, 0, 0));

    [Fact]
    public void Derive_SeparatesSeedsStreamsAndIndices()
    {
        var seen = new HashSet<ulong>();
        for (ulong seed = 0; seed < 4; seed++)
        {
            for (ulong stream = 0; stream < 4; stream++)
            {
                for (ulong index = 0; index < 64; index++)
                {
                    Assert.True(seen.Add(SynthRandom.Derive(seed, stream, index)));
                }
            }
        }

        Assert.Equal(SynthRandom.Derive(7, 1, 2), SynthRandom.Derive(7, 1, 2));
    }

    [Fact]
    public void Next_StaysInRange_AndCoversEveryValue()
    {
        var r = new SynthRandom(1);
        var counts = new int[6];
        for (var i = 0; i < 6000; i++)
        {
            counts[r.Next(6)]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 850, 1150));
        Assert.Throws<ArgumentOutOfRangeException>(() => r.Next(0));
    }

    [Fact]
    public void Pick_FollowsTheWeights_AndNeverPicksAZeroWeight()
    {
        var r = new SynthRandom(2);
        var counts = new int[3];
        for (var i = 0; i < 10000; i++)
        {
            counts[r.Pick([0.25, 0, 0.75])]++;
        }

        Assert.Equal(0, counts[1]);
        Assert.InRange(counts[0], 2300, 2700);
        Assert.Throws<ArgumentException>(() => r.Pick([0.0, 0.0]));
    }

    [Fact]
    public void NextNormal_HasUnitVarianceAndZeroMean()
    {
        var r = new SynthRandom(3);
        double sum = 0, sum2 = 0;
        const int n = 20000;
        for (var i = 0; i < n; i++)
        {
            var v = r.NextNormal();
            Assert.InRange(v, -3.47, 3.47);
            sum += v;
            sum2 += v * v;
        }

        Assert.InRange(sum / n, -0.03, 0.03);
        Assert.InRange(sum2 / n, 0.96, 1.04);
    }
}

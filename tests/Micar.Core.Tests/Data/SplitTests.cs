using Micar.Data;
using Xunit;

namespace Micar.Tests.Data;

public sealed class SplitTests
{
    [Fact]
    public void Mt19937_reference_output()
    {
        // init_genrand(5489): the first output of the reference MT19937 implementation is 3499211612.
        Assert.Equal(3499211612u, new NumpyRandomState(5489).NextUInt32());
    }

    [Fact]
    public void Raw_outputs_match_numpy()
    {
        var fx = DataFixtures.Json("splits.json");
        var rs = new NumpyRandomState(9876);
        foreach (var v in fx.GetProperty("mt_first_uint32_seed_9876").EnumerateArray())
            Assert.Equal(v.GetUInt32(), rs.NextUInt32());
    }

    [Fact]
    public void Permutation_test_vectors_from_the_specification()
    {
        Assert.Equal([9, 5, 4, 1, 0, 8, 2, 7, 3, 6], new NumpyRandomState(9876).Permutation(10));
        Assert.Equal([869, 527, 638, 33, 515, 175, 266, 551, 607, 844], new NumpyRandomState(9876).Permutation(1000)[..10]);
        Assert.Equal([910, 1785, 2542, 1453, 990, 594, 2419, 547, 2608, 770], new NumpyRandomState(1234).Permutation(2728)[..10]);
    }

    [Fact]
    public void Permutations_match_numpy()
    {
        foreach (var c in DataFixtures.Json("splits.json").GetProperty("permutations").EnumerateArray())
        {
            int n = c.GetProperty("n").GetInt32();
            var p = NumpyRandomState.FromSeed(c.GetProperty("seed").GetInt64()).Permutation(n);
            var head = DataFixtures.Ints(c.GetProperty("head"));
            var tail = DataFixtures.Ints(c.GetProperty("tail"));
            Assert.Equal(head, p[..head.Length]);
            Assert.Equal(tail, p[^tail.Length..]);
            ulong sum = 0;
            const ulong mod = (1UL << 61) - 1;
            for (int i = 0; i < n; i++) sum = (sum + (ulong)i * (ulong)p[i] % mod) % mod;
            Assert.Equal(c.GetProperty("checksum").GetUInt64(), sum);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => NumpyRandomState.FromSeed(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => NumpyRandomState.FromSeed(1L << 32));
    }

    [Fact]
    public void Train_test_split_matches_scikit_learn()
    {
        foreach (var c in DataFixtures.Json("splits.json").GetProperty("cases").EnumerateArray())
        {
            int n = c.GetProperty("n").GetInt32();
            double q = c.GetProperty("test_size").GetDouble();
            uint seed = c.GetProperty("seed").GetUInt32();
            Assert.Equal(c.GetProperty("n_test").GetInt32(), TrainTestSplit.TestCount(n, q));
            var s = TrainTestSplit.Split(n, q, seed);
            Assert.Equal(DataFixtures.Ints(c.GetProperty("train")), s.Train);
            Assert.Equal(DataFixtures.Ints(c.GetProperty("test")), s.Test);
        }
    }

    [Fact]
    public void Test_count_uses_the_ieee_product()
    {
        Assert.Equal(8, TrainTestSplit.TestCount(100, 0.07)); // 0.07 * 100 = 7.000000000000001
        Assert.Equal(3, TrainTestSplit.TestCount(10, 0.3));
        Assert.Equal(146, TrainTestSplit.TestCount(728, 0.2)); // 145.6 -> 146
        Assert.Throws<ArgumentOutOfRangeException>(() => TrainTestSplit.TestCount(10, 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => TrainTestSplit.TestCount(10, 0.0));
    }

    [Fact]
    public void Empty_training_part_is_an_error_like_scikit_learn()
    {
        foreach (var c in DataFixtures.Json("splits.json").GetProperty("errors").EnumerateArray())
        {
            Assert.NotNull(c.GetProperty("error").GetString());
            var e = Assert.Throws<ArgumentException>(() => TrainTestSplit.Split(c.GetProperty("n").GetInt32(), c.GetProperty("test_size").GetDouble(), 1));
            Assert.Contains("train set will be empty", e.Message);
        }
        Assert.Throws<ArgumentException>(() => TrainTestSplit.Split(0, 0.5, 1));
    }

    [Fact]
    public void Two_stage_plans_match_scikit_learn()
    {
        foreach (var c in DataFixtures.Json("splits.json").GetProperty("plans").EnumerateArray())
        {
            var plan = c.GetProperty("plan").GetString() == "covctr" ? SplitPlan.Covctr : SplitPlan.Pgross;
            var s = plan.Apply(c.GetProperty("n").GetInt32());
            Assert.Equal(DataFixtures.Ints(c.GetProperty("train")), s.Train);
            Assert.Equal(DataFixtures.Ints(c.GetProperty("val")), s.Val);
            Assert.Equal(DataFixtures.Ints(c.GetProperty("test")), s.Test);
        }
    }

    [Fact]
    public void Split_of_items_keeps_permutation_order()
    {
        var (train, test) = TrainTestSplit.Split(Enumerable.Range(0, 10).Select(i => $"r{i}").ToList(), 0.2, 9876);
        Assert.Equal(["r9", "r5"], test);
        Assert.Equal(["r4", "r1", "r0", "r8", "r2", "r7", "r3", "r6"], train);
    }
}

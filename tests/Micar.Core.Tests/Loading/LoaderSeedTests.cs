using Micar.Data.Loading;
using Xunit;

namespace Micar.Tests.Loading;

public sealed class LoaderSeedTests
{
    // Computed from the documented formulas with an independent Python implementation of SplitMix64's
    // finaliser (whose value for 0 is 0xE220A8397B1DCDAF, SplitMix64's first output from seed 0):
    //   shuffle(s, e) = mix((mix(s) + e) mod 2^64) & 0x7FFFFFFF
    //   row(s, e, r)  = mix((mix((mix(s) + e) mod 2^64) + r + 2^32) mod 2^64) & 0x7FFFFFFF
    [Theory]
    [InlineData(0, 0, 1293516399)]
    [InlineData(0, 1, 792193407)]
    [InlineData(42, 3, 171756048)]
    [InlineData(-1, 7, 820469016)]
    public void Shuffle_seed_follows_the_documented_formula(int seed, int epoch, int expected) =>
        Assert.Equal(expected, LoaderSeed.Shuffle(seed, epoch));

    [Theory]
    [InlineData(0, 0, 0, 1964281139)]
    [InlineData(42, 3, 17, 1561330983)]
    [InlineData(-5, 2, 1000, 3942326)]
    public void Row_seed_follows_the_documented_formula(int seed, int epoch, int row, int expected) =>
        Assert.Equal(expected, LoaderSeed.Row(seed, epoch, row));

    [Fact]
    public void Permutation_is_a_seeded_fisher_yates_shuffle()
    {
        // By hand from the documented procedure.
        var random = new Random(LoaderSeed.Shuffle(7, 2));
        int[] expected = [0, 1, 2, 3, 4, 5];
        for (var i = 5; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (expected[i], expected[j]) = (expected[j], expected[i]);
        }
        Assert.Equal(expected, LoaderSeed.Permutation(6, 7, 2));
        Assert.Empty(LoaderSeed.Permutation(0, 7, 2));
        Assert.Equal([0], LoaderSeed.Permutation(1, 7, 2));
    }

    [Fact]
    public void Permutations_differ_across_epochs_and_seeds_and_repeat_for_the_same_pair()
    {
        var p0 = LoaderSeed.Permutation(50, 1, 0);
        Assert.Equal(Enumerable.Range(0, 50), p0.Order());
        Assert.Equal(p0, LoaderSeed.Permutation(50, 1, 0));
        Assert.NotEqual(p0, LoaderSeed.Permutation(50, 1, 1));
        Assert.NotEqual(p0, LoaderSeed.Permutation(50, 2, 0));
        // Unlike seed + epoch, (seed 1, epoch 0) and (seed 0, epoch 1) are different orders.
        Assert.NotEqual(p0, LoaderSeed.Permutation(50, 0, 1));
    }
}

using Micar.Metrics;
using Xunit;

namespace Micar.Tests.Metrics;

public sealed class PorterStemmerTests
{
    [Theory]
    [InlineData("showing", "show")]
    [InlineData("enhancing", "enhanc")]
    [InlineData("enhancement", "enhanc")]
    [InlineData("lesions", "lesion")]
    [InlineData("opacities", "opac")]
    [InlineData("cardiomegaly", "cardiomegali")]
    [InlineData("dying", "die")]
    [InlineData("t2", "t2")]
    [InlineData("skies", "sky")]
    [InlineData("Skies", "ski")] // the irregular table is consulted before lower-casing, as in nltk
    [InlineData("ties", "tie")]
    [InlineData("generalli", "gener")]
    [InlineData("archaeology", "archaeolog")]
    public void SpecAndNltkChecks(string word, string stem) => Assert.Equal(stem, PorterStemmer.Stem(word));

    [Fact]
    public void MatchesNltkOnFixtureWords()
    {
        int count = 0;
        var mismatches = new List<string>();
        foreach (var fields in MetricFixtures.Tsv("stems.tsv"))
        {
            var stem = PorterStemmer.Stem(fields[0]);
            if (stem != fields[1]) mismatches.Add($"{fields[0]}: {stem} (nltk {fields[1]})");
            count++;
        }
        Assert.True(count > 15000, $"only {count} fixture words");
        Assert.Empty(mismatches);
    }

    [Fact]
    public void IsIdempotentOnCommonStems()
    {
        // Not a Porter law in general, but holds for these and guards against accidental double steps.
        foreach (var w in (string[])["show", "lesion", "heart", "lung", "mass"])
            Assert.Equal(w, PorterStemmer.Stem(w));
    }
}

using Micar.Data;
using Xunit;

namespace Micar.Tests.Data;

public sealed class CleanerTests
{
    public static TheoryData<string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var c in DataFixtures.Json("cleaners.json").EnumerateArray())
            data.Add(c.GetProperty("cleaner").GetString()!, c.GetProperty("input").GetString()!, c.GetProperty("expected").GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Cleaners_match_the_official_python(string cleaner, string input, string expected)
    {
        string actual = cleaner switch
        {
            "covctr" => CovctrCleaner.Clean(input),
            "pgross" => PgrossCleaner.Clean(input),
            "mmretinal" => MmRetinalCleaner.Clean(input),
            "mmretinal_figures" => MmRetinalCleaner.RemoveFigureReferences(input),
            "roco" => RocoCleaner.Clean(input),
            "iuxray" => IuXrayCleaner.Clean(input),
            "sentence" => SentenceCleaner.Clean(input),
            "sentence_nocollapse" => SentenceCleaner.Clean(input, collapseSpacedPeriods: false),
            _ => throw new InvalidOperationException(cleaner),
        };
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Covctr_by_hand()
    {
        Assert.Equal("ground glass , left lobe .", CovctrCleaner.Clean("Ground glass; (left) lobe."));
        Assert.Equal("no change .", CovctrCleaner.Clean("No change"));
        Assert.Throws<ArgumentException>(() => CovctrCleaner.Clean(" \"()\" "));
    }

    [Fact]
    public void Sentence_cleaner_keeps_the_hyphen_and_deletes_the_colon_to_bracket_range()
    {
        // The official class [.,?;*!%^&_+():-\[\]{}] has the range ':'..'[' (so '<', '=', '>', '@' go) and no '-'.
        Assert.Equal("a-b c d .", SentenceCleaner.Clean("a-b <c> @d"));
        Assert.True(SentenceCleaner.IsDeleted('@'));
        Assert.False(SentenceCleaner.IsDeleted('-'));
        Assert.False(SentenceCleaner.IsDeleted('#'));
        Assert.Equal(" .", SentenceCleaner.Clean(""));
        Assert.Equal("a .  .  . b .", SentenceCleaner.Clean("a. . . b", collapseSpacedPeriods: false));
        Assert.Equal("a .  . b .", SentenceCleaner.Clean("a. . . b"));
    }

    [Fact]
    public void Pgross_takes_the_text_after_the_last_colon()
    {
        Assert.Equal("small bowel infarct .", PgrossCleaner.Clean("GI: Intestine: Small bowel infarct"));
        Assert.Equal(" .", PgrossCleaner.Clean("Nothing after:"));
    }

    [Fact]
    public void Mmretinal_figure_references_by_hand()
    {
        Assert.Equal("  leakage.", MmRetinalCleaner.RemoveFigureReferences("Same eye as figures 10-11c and d, leakage."));
        Assert.Equal("data for", MmRetinalCleaner.RemoveFigureReferences("data for"));
        Assert.Equal("drusen .", MmRetinalCleaner.Clean("Fig. 1-2 drusen"));
    }

    [Fact]
    public void Roco_masks_ages_and_measurements()
    {
        Assert.Equal("a xxxx with a xxxx cyst .", RocoCleaner.Clean("A 45-year-old with a 3.5 cm cyst"));
        Assert.Equal("one ,  two .  three .", RocoCleaner.Clean("One, two.\tThree."));
    }
}

using Micar.Data.Synthetic;
using Xunit;

namespace Micar.Tests.Synthetic;

public sealed class FindingExtractorTests
{
    private static FindingSet Set(params string[] codes) => new(codes.Select(Finding.Parse));

    [Fact]
    public void RecoversEveryGeneratedFindingSetExactly()
    {
        for (ulong seed = 0; seed < 2000; seed++)
        {
            var truth = SyntheticGenerator.SampleFindings(seed);
            var extracted = FindingExtractor.Extract(ReportGrammar.Write(truth));
            Assert.True(truth.Equals(extracted), $"seed {seed}: {truth.ToCode()} != {extracted.ToCode()}");
        }
    }

    [Fact]
    public void KeysSurviveDroppedFunctionWordsAndPunctuation()
    {
        // Remove every 'the', 'in', 'with', ',' and '.' (run-on text): type, side and zone must still come back.
        string[] dropped = ["the", "in", "with", ",", "."];
        for (ulong seed = 0; seed < 500; seed++)
        {
            var truth = SyntheticGenerator.SampleFindings(seed);
            var text = string.Join(' ', ReportGrammar.Write(truth).Split(' ').Where(t => !dropped.Contains(t)));
            var scores = FindingScorer.ScoreSets([(FindingExtractor.Extract(text), truth)]);
            Assert.True(scores.ExactMatch == 1, $"seed {seed}: '{text}' gave {FindingExtractor.Extract(text).ToCode()}, expected {truth.ToCode()}");
        }
    }

    [Fact]
    public void NormalStatementsAndNegationsYieldNothing()
    {
        Assert.True(FindingExtractor.Extract(ReportGrammar.Write(FindingSet.Empty)).IsNormal);
        Assert.True(FindingExtractor.Extract("no nodule in the left lung . no liquid density in the pleural cavity .").IsNormal);
        Assert.True(FindingExtractor.Extract("").IsNormal);
        Assert.True(FindingExtractor.Extract("liquid density in the pericardial region .").IsNormal);
    }

    [Fact]
    public void MissingAttributesBecomeUnknown_AndAMissingSizeWordIsMedium()
    {
        Assert.Equal(Set("nodule:?:?:?:medium:?"), FindingExtractor.Extract("nodule ."));
        Assert.Equal(Set("ggo:left:?:central:small:?"), FindingExtractor.Extract("small hilar ground glass shadow in the left lung ."));
        Assert.Equal(Set("effusion:?:na:na:large:na"), FindingExtractor.Extract("large arcshaped liquid density ."));
    }

    [Fact]
    public void HandlesSynonymsAndBilateralOrMultiZoneStatements()
    {
        Assert.Equal(
            Set("ggo:right:upper:?:medium:ill", "ggo:right:lower:?:medium:ill", "ggo:left:upper:?:medium:ill", "ggo:left:lower:?:medium:ill"),
            FindingExtractor.Extract("patchy glassy shadows in the upper and lower lobes of both lungs , the margin was unclear ."));
        Assert.Equal(
            Set("nodule:left:middle:subpleural:large:well"),
            FindingExtractor.Extract("a mass under the pleura of the lingual segment of the left upper lobe , clear boundary ."));
        Assert.Equal(
            Set("consolidation:right:lower:?:medium:ill:air"),
            FindingExtractor.Extract("dense shadow in the right lower lobe with fuzzy edges and air bronchus sign ."));
        Assert.Equal(
            Set("nodule:right:upper:?:medium:?"),
            FindingExtractor.Extract("solid nodule in the right upper lobe ."));
    }

    [Fact]
    public void SplitsRunOnSentencesAtEachFinding()
    {
        var text = "small hilar nodule in the right upper lobe , with clear margin large subpleural cavity in the left lower lobe , "
            + "with blurred margin arcshaped liquid density in the posterior left pleura";
        Assert.Equal(
            Set("nodule:right:upper:central:small:well", "cavity:left:lower:subpleural:large:ill", "effusion:left:na:na:medium:na"),
            FindingExtractor.Extract(text));
    }

    [Fact]
    public void RepeatedSentencesCountTwice_AndAirOnlyBelongsToConsolidation()
    {
        const string sentence = "hilar nodule in the right upper lobe , with clear margin and air bronchial sign . ";
        Assert.Equal(Set("nodule:right:upper:central:medium:well", "nodule:right:upper:central:medium:well"), FindingExtractor.Extract(sentence + sentence));
    }

    [Fact]
    public void ToleratesCaseAndAttachedPunctuation()
    {
        Assert.Equal(
            Set("cavity:right:middle:central:small:ill"),
            FindingExtractor.Extract("Small hilar cavity in the right middle lobe, with blurred margin."));
    }
}

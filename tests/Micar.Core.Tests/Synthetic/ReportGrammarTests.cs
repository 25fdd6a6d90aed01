using Micar.Data.Synthetic;
using Xunit;

namespace Micar.Tests.Synthetic;

public sealed class ReportGrammarTests
{
    private static FindingSet Set(params string[] codes) => new(codes.Select(Finding.Parse));

    [Fact]
    public void NormalStudy_HasOnlyNormalStatements()
    {
        Assert.Equal(
            "the thorax was symmetrical . both lungs were clear . the mediastinum was centered . no liquid density in the pleura .",
            ReportGrammar.Write(FindingSet.Empty));
    }

    [Fact]
    public void Findings_AreDescribedInOrder_WithNormalStatementsForTheRest()
    {
        var set = Set(
            "consolidation:left:lower:subpleural:large:ill:air",
            "effusion:right:na:na:medium:na",
            "nodule:right:upper:central:small:well");
        Assert.Equal(
            "the thorax was symmetrical . small hilar nodule in the right upper lobe , with clear margin . "
            + "large subpleural highdensity shadow in the left lower lobe , with blurred margin and air bronchial sign . "
            + "the mediastinum was centered . arcshaped liquid density in the posterior right pleura . "
            + "no liquid density in the left pleura .",
            ReportGrammar.Write(set));
    }

    [Fact]
    public void LeftMiddleZone_IsTheLingula_AndUnaffectedLungIsStated()
    {
        Assert.Equal(
            "the thorax was symmetrical . subpleural ground glass shadow in the left lingual segment , with blurred margin . "
            + "subpleural cavity in the left lower lobe , with clear margin . the right lung was clear . "
            + "the mediastinum was centered . small arcshaped liquid density in the posterior right pleura . "
            + "large arcshaped liquid density in the posterior left pleura .",
            ReportGrammar.Write(Set(
                "ggo:left:middle:subpleural:medium:ill",
                "cavity:left:lower:subpleural:medium:well",
                "effusion:left:na:na:large:na",
                "effusion:right:na:na:small:na")));
    }

    [Fact]
    public void LongestReport_FitsCovctrTextLength()
    {
        var worst = Set(
            "consolidation:left:upper:central:large:ill:air",
            "consolidation:left:middle:central:large:ill:air",
            "consolidation:left:lower:central:large:ill:air");
        Assert.Equal(77, ReportGrammar.Write(worst).Split(' ').Length);
    }

    [Fact]
    public void GeneratedReports_UseOnlyCovctrTokens_InCleanedCovctrFormat()
    {
        var maxTokens = 0;
        for (ulong seed = 0; seed < 2000; seed++)
        {
            var report = ReportGrammar.Write(SyntheticGenerator.SampleFindings(seed));
            Assert.EndsWith(" .", report);
            Assert.Equal(report.Trim(), report);
            Assert.DoesNotContain("  ", report);
            Assert.Equal(report.ToLowerInvariant(), report);
            var tokens = report.Split(' ');
            Assert.All(tokens, t => Assert.True(CovctrVocabulary.Tokens.Contains(t), $"'{t}' is not a COVCTR token (seed {seed})"));
            maxTokens = Math.Max(maxTokens, tokens.Length);
        }

        Assert.InRange(maxTokens, 40, 78); // COVCTR's text length 80 leaves 78 tokens besides <sos> and <eos>
    }

    [Fact]
    public void IncompleteLesions_AreRejectedWithTheirCode()
    {
        var e = Assert.Throws<ArgumentException>(() => ReportGrammar.Write(Set("nodule:left:upper:?:small:well")));
        Assert.Contains("nodule:left:upper:?:small:well", e.Message);
    }
}

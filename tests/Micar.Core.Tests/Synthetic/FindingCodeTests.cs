using Micar.Data.Synthetic;
using Xunit;

namespace Micar.Tests.Synthetic;

public sealed class FindingCodeTests
{
    [Fact]
    public void Finding_CodeIsTheDocumentedColonList()
    {
        var f = new Finding(FindingType.Consolidation, LungSide.Left, LungZone.Lower, LesionDepth.Central, LesionSize.Large, LesionMargin.IllDefined, true);
        Assert.Equal("consolidation:left:lower:central:large:ill:air", f.ToCode());
        Assert.Equal(f, Finding.Parse(f.ToCode()));

        var e = new Finding(FindingType.Effusion, LungSide.Right, LungZone.NotApplicable, LesionDepth.NotApplicable, LesionSize.Small, LesionMargin.NotApplicable);
        Assert.Equal("effusion:right:na:na:small:na", e.ToCode());
        Assert.Equal(e, Finding.Parse("effusion:right:na:na:small:na"));

        var unknown = new Finding(FindingType.GroundGlass, LungSide.Unknown, LungZone.Unknown, LesionDepth.Unknown, LesionSize.Medium, LesionMargin.Unknown);
        Assert.Equal("ggo:?:?:?:medium:?", unknown.ToCode());
        Assert.Equal(unknown, Finding.Parse(unknown.ToCode()));
    }

    [Theory]
    [InlineData("ggo:left:lower", "6 or 7")]
    [InlineData("fog:left:lower:central:large:ill", "type 'fog'")]
    [InlineData("ggo:up:lower:central:large:ill", "side 'up'")]
    [InlineData("ggo:left:top:central:large:ill", "zone 'top'")]
    [InlineData("ggo:left:lower:deep:large:ill", "depth 'deep'")]
    [InlineData("ggo:left:lower:central:huge:ill", "size 'huge'")]
    [InlineData("ggo:left:lower:central:large:sharp", "margin 'sharp'")]
    [InlineData("ggo:left:lower:central:large:ill:gas", "field 7 must be 'air'")]
    public void Finding_ParseErrorsNameTheField(string code, string message)
    {
        var e = Assert.Throws<FormatException>(() => Finding.Parse(code));
        Assert.Contains(message, e.Message);
        Assert.Contains(code, e.Message);
    }

    [Fact]
    public void FindingSet_IsCanonicallyOrdered_AndRoundTrips()
    {
        var a = Finding.Parse("nodule:left:upper:central:small:well");
        var b = Finding.Parse("ggo:right:lower:subpleural:large:ill");
        var c = Finding.Parse("effusion:right:na:na:medium:na");
        var set = new FindingSet([a, b, c]);

        Assert.Equal(
            "effusion:right:na:na:medium:na;ggo:right:lower:subpleural:large:ill;nodule:left:upper:central:small:well",
            set.ToCode());
        Assert.Equal(set, new FindingSet([c, a, b]));
        Assert.Equal(set, FindingSet.Parse(set.ToCode()));
        Assert.Equal(set.GetHashCode(), FindingSet.Parse(set.ToCode()).GetHashCode());
        Assert.NotEqual(set, new FindingSet([a, b]));
    }

    [Fact]
    public void FindingSet_NormalIsTheEmptySet()
    {
        Assert.Equal("normal", FindingSet.Empty.ToCode());
        Assert.True(FindingSet.Parse(" normal ").IsNormal);
        Assert.Throws<FormatException>(() => FindingSet.Parse(""));
    }
}

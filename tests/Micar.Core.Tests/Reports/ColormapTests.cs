using Micar.Reports.Plotting;
using Xunit;

namespace Micar.Tests.Reports;

public sealed class ColormapTests
{
    private static readonly Colormap Viridis = Colormap.Viridis;

    [Fact]
    public void Anchors_are_matplotlib_viridis()
    {
        // matplotlib 3.6: viridis(0), viridis(0.5), viridis(1).
        Assert.Equal("#440154", Viridis.Map(0).ToHex());
        Assert.Equal("#21918c", Viridis.Map(0.5).ToHex());
        Assert.Equal("#fde725", Viridis.Map(1).ToHex());
    }

    [Fact]
    public void Between_anchors_colours_are_interpolated_and_rounded()
    {
        // Half way from #440154 to #48186a: (68+72)/2 = 70, (1+24)/2 = 12.5 → 13, (84+106)/2 = 95.
        Assert.Equal(new Rgb(70, 13, 95), Viridis.Map(1.0 / 32));
    }

    [Fact]
    public void Out_of_range_values_clamp_and_NaN_is_missing()
    {
        Assert.Equal(Viridis.Map(0), Viridis.Map(-3));
        Assert.Equal(Viridis.Map(1), Viridis.Map(7));
        Assert.Equal(Viridis.Missing, Viridis.Map(double.NaN));
        Assert.Equal(Viridis.Map(0.25), Viridis.Map(2.5, 2, 4));
        Assert.Equal(0.5, Colormap.Normalize(3, 3, 3));
    }

    [Fact]
    public void Luminance_rises_monotonically()
    {
        var previous = -1.0;
        for (var i = 0; i <= 100; i++)
        {
            var l = Viridis.Map(i / 100.0).Luminance;
            Assert.True(l >= previous, $"luminance falls at {i / 100.0}");
            previous = l;
        }
    }

    [Fact]
    public void Hex_parsing_round_trips_and_rejects_bad_input()
    {
        Assert.Equal("#1f77b4", Rgb.Parse("#1f77b4").ToHex());
        Assert.Throws<FormatException>(() => Rgb.Parse("1f77b4"));
        Assert.Throws<FormatException>(() => Rgb.Parse("#1f77bz"));
        Assert.Throws<ArgumentException>(() => new Colormap("one", [new Rgb(0, 0, 0)], default));
    }
}

using Micar.Reports.Plotting;
using Xunit;

namespace Micar.Tests.Reports;

public sealed class NiceTicksTests
{
    [Theory]
    [InlineData(1.4, true, 1.0)]
    [InlineData(1.6, true, 2.0)]
    [InlineData(3.2, true, 5.0)]
    [InlineData(7.5, true, 10.0)]
    [InlineData(0.0042, true, 0.005)]
    [InlineData(2.1, false, 5.0)]
    [InlineData(2.0, false, 2.0)]
    [InlineData(0.11, false, 0.2)]
    [InlineData(19.0, false, 20.0)]
    public void Nice_numbers_are_1_2_5_times_a_power_of_ten(double x, bool round, double expected) =>
        Assert.Equal(expected, NiceTicks.NiceNumber(x, round), 12);

    [Fact]
    public void Loose_linear_ticks_cover_the_range()
    {
        // range nice(4.2) = 5, step nice(5/5) = 1, widened to whole steps.
        var ticks = NiceTicks.Linear(0.8, 5.0);
        Assert.Equal([0.0, 1, 2, 3, 4, 5], ticks.Values);
        Assert.Equal(["0", "1", "2", "3", "4", "5"], ticks.Labels);
        Assert.Equal((0.0, 5.0), (ticks.Min, ticks.Max));
    }

    [Fact]
    public void Decimal_steps_are_exact_and_labelled_with_the_step_precision()
    {
        // range nice(0.2) = 0.2, step nice(0.04) = 0.05; 3 × 0.05 would be 0.15000000000000002 unsnapped.
        var ticks = NiceTicks.Linear(0.1, 0.3);
        Assert.Equal([0.1, 0.15, 0.2, 0.25, 0.3], ticks.Values);
        Assert.Equal(["0.10", "0.15", "0.20", "0.25", "0.30"], ticks.Labels);
    }

    [Fact]
    public void Integer_axes_never_step_below_one()
    {
        Assert.Equal([0.0, 5, 10, 15, 20], NiceTicks.Linear(1, 20, 7, minStep: 1).Values);
        Assert.Equal([1.0, 2, 3], NiceTicks.Linear(1, 3, 6, minStep: 1).Values);   // would be 0.5 steps
        Assert.Equal([1.0, 1.5, 2, 2.5, 3], NiceTicks.Linear(1, 3).Values);
    }

    [Fact]
    public void An_empty_range_is_widened()
    {
        var ticks = NiceTicks.Linear(2, 2);   // ±10 %: [1.8, 2.2], step 0.1
        Assert.Equal([1.8, 1.9, 2.0, 2.1, 2.2], ticks.Values);
        Assert.Equal([-1.0, -0.5, 0, 0.5, 1], NiceTicks.Linear(0, 0).Values);
    }

    [Fact]
    public void Within_keeps_the_range_and_drops_outside_ticks()
    {
        // loose ticks 0, 0.05, 0.1, 0.15; only 0.05 and 0.1 lie in [0.03, 0.137].
        var ticks = NiceTicks.Within(0.03, 0.137);
        Assert.Equal((0.03, 0.137), (ticks.Min, ticks.Max));
        Assert.Equal([0.05, 0.1], ticks.Values);
        Assert.Equal(["0.05", "0.10"], ticks.Labels);
        Assert.Equal([0.0, 0.5, 1.0], NiceTicks.Within(0, 1, 3).Values);
    }

    [Fact]
    public void Log_ticks_are_decades_with_2_and_5_on_short_axes()
    {
        var wide = NiceTicks.Log10(3e-8, 1e-3);
        Assert.Equal(["1e-8", "1e-7", "1e-6", "1e-5", "1e-4", "0.001"], wide.Labels);
        Assert.Equal((1e-8, 1e-3), (wide.Min, wide.Max));
        var narrow = NiceTicks.Log10(2e-4, 8e-3);
        Assert.Equal(["1e-4", "2e-4", "5e-4", "0.001", "0.002", "0.005", "0.01"], narrow.Labels);
        Assert.Equal(["1", "2", "5", "10"], NiceTicks.Log10(1, 1).Labels);
    }

    [Fact]
    public void Tiny_and_huge_values_use_exponents()
    {
        Assert.Equal("2e-5", NiceTicks.FormatLinear(2e-5, 1e-5));
        Assert.Equal("1.5e6", NiceTicks.FormatLinear(1.5e6, 5e5));
        Assert.Equal("0", NiceTicks.FormatLinear(0, 1e-5));
        Assert.Equal("-0.4", NiceTicks.FormatLinear(-0.4, 0.2));
        Assert.Equal("0.125", NiceTicks.FormatCompact(0.125));
        Assert.Equal("1.2e-4", NiceTicks.FormatCompact(1.2e-4));
        Assert.Equal(["0", "2e-5", "4e-5", "6e-5", "8e-5", "1e-4"], NiceTicks.Linear(0, 1e-4).Labels);
    }

    [Fact]
    public void Bad_bounds_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => NiceTicks.Linear(double.NaN, 1));
        Assert.Throws<ArgumentException>(() => NiceTicks.Linear(2, 1));
        Assert.Throws<ArgumentException>(() => NiceTicks.Log10(0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => NiceTicks.NiceNumber(-1, true));
    }
}

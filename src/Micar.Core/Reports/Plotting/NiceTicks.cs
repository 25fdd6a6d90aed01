using System.Globalization;

namespace Micar.Reports.Plotting;

/// <summary>
/// Tick placement with "nice" numbers (1, 2 or 5 times a power of ten), after Heckbert's
/// "Nice numbers for graph labels" (Graphics Gems, 1990): the range is rounded to a nice number, the step
/// to a nice number near range/(count − 1), and the axis is widened to whole steps ("loose" labelling).
/// </summary>
public static class NiceTicks
{
    /// <summary>
    /// A nice number near <paramref name="x"/> &gt; 0: with <paramref name="round"/> the closest of
    /// 1, 2, 5, 10 (times a power of ten; thresholds 1.5, 3, 7), otherwise the smallest one ≥ x.
    /// </summary>
    public static double NiceNumber(double x, bool round)
    {
        if (!(x > 0) || !double.IsFinite(x))
            throw new ArgumentOutOfRangeException(nameof(x), x, "a nice number needs a positive finite value");
        var exponent = Math.Floor(Math.Log10(x));
        var power = Math.Pow(10, exponent);
        var fraction = x / power;
        double nice = round
            ? fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
            : fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
        return nice * power;
    }

    /// <summary>
    /// Loose linear ticks covering [<paramref name="min"/>, <paramref name="max"/>]: the axis starts and ends on a
    /// tick. An empty range is widened (by 10 % of the value, or ±1 around 0). <paramref name="minStep"/> &gt; 0 keeps
    /// the step from falling below it (1 for integer axes such as epochs).
    /// </summary>
    /// <exception cref="ArgumentException">A bound is not finite, <paramref name="min"/> &gt; <paramref name="max"/>, or fewer than 2 ticks are asked for.</exception>
    public static TickSet Linear(double min, double max, int targetCount = 6, double minStep = 0)
    {
        CheckRange(min, max, targetCount);
        if (min == max)
        {
            var pad = min == 0 ? 1 : Math.Abs(min) * 0.1;
            min -= pad;
            max += pad;
        }
        var range = NiceNumber(max - min, round: false);
        var step = NiceNumber(range / (targetCount - 1), round: true);
        if (minStep > 0 && step < minStep)
            step = NiceNumber(minStep, round: false);
        var first = Math.Floor(min / step);
        var last = Math.Ceiling(max / step);
        var values = new List<double>();
        for (var k = first; k <= last + 0.5; k++)
            values.Add(Snap(k * step, step));
        return new TickSet(values[0], values[^1], values, values.Select(v => FormatLinear(v, step)).ToArray());
    }

    /// <summary>
    /// Nice linear ticks inside [<paramref name="min"/>, <paramref name="max"/>] without widening the range (for
    /// colour bars, whose ends are the data range). The ends themselves are ticks only when they fall on a step.
    /// </summary>
    public static TickSet Within(double min, double max, int targetCount = 5)
    {
        CheckRange(min, max, targetCount);
        if (min == max)
            return new TickSet(min, max, [min], [FormatLinear(min, min == 0 ? 1 : Math.Abs(min) / 10)]);
        var loose = Linear(min, max, targetCount);
        var step = loose.Values.Count > 1 ? loose.Values[1] - loose.Values[0] : max - min;
        var tolerance = (max - min) * 1e-9;
        var values = loose.Values.Where(v => v >= min - tolerance && v <= max + tolerance).ToArray();
        return new TickSet(min, max, values, values.Select(v => FormatLinear(v, step)).ToArray());
    }

    /// <summary>
    /// Ticks for a log-10 axis covering [<paramref name="min"/>, <paramref name="max"/>] (both &gt; 0): every power
    /// of ten, plus 2× and 5× when the axis spans at most two decades. The axis runs from the decade at or below
    /// min to the decade at or above max.
    /// </summary>
    /// <exception cref="ArgumentException">A bound is not positive and finite, or min &gt; max.</exception>
    public static TickSet Log10(double min, double max)
    {
        if (!(min > 0) || !(max > 0) || !double.IsFinite(min) || !double.IsFinite(max))
            throw new ArgumentException($"A log axis needs positive finite bounds, got [{min}, {max}].");
        if (min > max)
            throw new ArgumentException($"Axis minimum {min} is above its maximum {max}.");
        var lo = (int)Math.Floor(Math.Log10(min) + 1e-9);
        var hi = (int)Math.Ceiling(Math.Log10(max) - 1e-9);
        if (hi == lo)
            hi = lo + 1;
        var values = new List<double>();
        for (var k = lo; k <= hi; k++)
        {
            var power = Math.Pow(10, k);
            values.Add(power);
            if (hi - lo <= 2 && k < hi)
            {
                values.Add(2 * power);
                values.Add(5 * power);
            }
        }
        return new TickSet(values[0], values[^1], values, values.Select(FormatCompact).ToArray());
    }

    /// <summary>
    /// Label for a tick at <paramref name="value"/> on a linear axis with spacing <paramref name="step"/>: as many
    /// decimals as the step needs (0.5 → one, 0.02 → two), or mantissa/exponent form (<c>2e-5</c>) when the step is
    /// below 0.001 or the value reaches a million.
    /// </summary>
    public static string FormatLinear(double value, double step)
    {
        if (value == 0)
            return "0";
        step = Math.Abs(step);
        if (step < 1e-3 || Math.Abs(value) >= 1e6)
            return FormatExponent(value);
        var decimals = Math.Max(0, -(int)Math.Floor(Math.Log10(step) + 1e-9));
        return value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    /// <summary>A short label: plain for 0.001 ≤ |v| &lt; 10 000 (up to 3 decimals), otherwise <c>1.5e-4</c> form.</summary>
    public static string FormatCompact(double value)
    {
        if (value == 0)
            return "0";
        var magnitude = Math.Abs(value);
        return magnitude >= 1e-3 && magnitude < 1e4
            ? value.ToString("0.###", CultureInfo.InvariantCulture)
            : FormatExponent(value);
    }

    private static string FormatExponent(double value) => value.ToString("0.##e0", CultureInfo.InvariantCulture);

    /// <summary>Removes the binary noise of <c>k·step</c> (0.30000000000000004 → 0.3).</summary>
    private static double Snap(double value, double step)
    {
        var decimals = -(int)Math.Floor(Math.Log10(step)) + 2;
        if (decimals > 15)
            return value;   // Math.Round cannot keep that many decimals; such tiny steps carry no visible noise anyway
        var snapped = Math.Round(value, Math.Max(decimals, 0));
        return snapped == 0 ? 0 : snapped;   // no negative zero
    }

    private static void CheckRange(double min, double max, int targetCount)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max))
            throw new ArgumentException($"Axis bounds must be finite, got [{min}, {max}].");
        if (min > max)
            throw new ArgumentException($"Axis minimum {min} is above its maximum {max}.");
        if (targetCount < 2)
            throw new ArgumentOutOfRangeException(nameof(targetCount), targetCount, "at least two ticks are needed");
    }
}

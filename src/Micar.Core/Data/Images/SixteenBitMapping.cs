using System.Globalization;

namespace Micar.Data.Images;

/// <summary>
/// How 16-bit grey samples (CT, MR, radiographs) become the 8-bit samples of an <see cref="Image"/>
/// (<see cref="ImageDecodeOptions.SixteenBit"/>). Rounding is half up:
/// <c>round((v − lo) · 255 / (hi − lo))</c> for <c>lo ≤ v ≤ hi</c>, 0 below, 255 above.
/// </summary>
public sealed record SixteenBitMapping
{
    private SixteenBitMapping(SixteenBitMode mode, int low, int high)
    {
        Mode = mode;
        Low = low;
        High = high;
    }

    /// <summary>PIL parity (the default): <c>min(v, 255)</c>, so a typical 12- or 16-bit scan comes out nearly white.</summary>
    public static SixteenBitMapping Clip { get; } = new(SixteenBitMode.Clip, 0, 255);

    /// <summary>Per image: its minimum becomes 0 and its maximum 255 (an image of one value becomes all 0).</summary>
    public static SixteenBitMapping MinMax { get; } = new(SixteenBitMode.MinMax, 0, 0);

    /// <summary>What kind of mapping this is.</summary>
    public SixteenBitMode Mode { get; }

    /// <summary>The value mapped to 0 (<see cref="SixteenBitMode.Window"/>; 0 for <see cref="Clip"/>).</summary>
    public int Low { get; }

    /// <summary>The value mapped to 255 (<see cref="SixteenBitMode.Window"/>; 255 for <see cref="Clip"/>).</summary>
    public int High { get; }

    /// <summary>The window <paramref name="low"/>..<paramref name="high"/> mapped linearly onto 0..255, clamped outside.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not <c>0 ≤ low &lt; high ≤ 65535</c>.</exception>
    public static SixteenBitMapping Window(int low, int high)
    {
        if (low < 0 || high > ushort.MaxValue || low >= high)
            throw new ArgumentOutOfRangeException(nameof(low),
                $"a 16-bit window needs 0 <= low < high <= 65535, got low = {low}, high = {high}");
        return new SixteenBitMapping(SixteenBitMode.Window, low, high);
    }

    /// <summary>
    /// Parses <c>clip</c>, <c>minmax</c>, <c>window:LO:HI</c> or <c>LO:HI</c> (case-insensitive; LO and HI integers
    /// with <c>0 ≤ LO &lt; HI ≤ 65535</c>), e.g. from a command-line option.
    /// </summary>
    /// <exception cref="FormatException">The text is none of these; the message quotes it.</exception>
    public static SixteenBitMapping Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim();
        if (t.Equals("clip", StringComparison.OrdinalIgnoreCase))
            return Clip;
        if (t.Equals("minmax", StringComparison.OrdinalIgnoreCase))
            return MinMax;
        if (t.StartsWith("window:", StringComparison.OrdinalIgnoreCase))
            t = t["window:".Length..];
        var parts = t.Split(':');
        if (parts.Length == 2 && TryValue(parts[0], out var low) && TryValue(parts[1], out var high))
        {
            if (low >= high)
                throw new FormatException($"Invalid 16-bit mapping '{text}': the window's low end {low} must be below its high end {high}.");
            return new SixteenBitMapping(SixteenBitMode.Window, low, high);
        }
        throw new FormatException(
            $"Invalid 16-bit mapping '{text}': expected clip, minmax, window:LO:HI or LO:HI with integers 0 <= LO < HI <= 65535.");
    }

    /// <summary>The text <see cref="Parse"/> reads back: <c>clip</c>, <c>minmax</c> or <c>window:LO:HI</c>.</summary>
    public override string ToString() => Mode switch
    {
        SixteenBitMode.Clip => "clip",
        SixteenBitMode.MinMax => "minmax",
        _ => $"window:{Low}:{High}",
    };

    /// <summary>Maps <paramref name="samples"/> (one every <paramref name="step"/>) into <paramref name="destination"/> (one every <paramref name="step"/>).</summary>
    /// <returns>Whether any sample fell above the window (was clipped to 255).</returns>
    internal bool Apply(ReadOnlySpan<ushort> samples, Span<byte> destination, int step = 1)
    {
        int low = Low, high = High;
        if (Mode == SixteenBitMode.MinMax)
        {
            (low, high) = (ushort.MaxValue, 0);
            for (var i = 0; i < samples.Length; i += step)
            {
                low = Math.Min(low, samples[i]);
                high = Math.Max(high, samples[i]);
            }
            if (low == high)
            {
                for (var i = 0; i < samples.Length; i += step)
                    destination[i] = 0;
                return false;
            }
        }
        var clipped = false;
        long range = high - low;
        for (var i = 0; i < samples.Length; i += step)
        {
            int v = samples[i];
            if (v <= low)
                destination[i] = 0;
            else if (v >= high)
            {
                clipped |= v > high;
                destination[i] = 255;
            }
            else
                destination[i] = (byte)(((v - low) * 510L + range) / (2 * range));
        }
        return clipped;
    }

    private static bool TryValue(string s, out int value) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value <= ushort.MaxValue;
}

using System.Globalization;

namespace Micar.Reports.Plotting;

/// <summary>An 8-bit sRGB colour.</summary>
public readonly record struct Rgb(byte R, byte G, byte B)
{
    /// <summary>The colour as <c>#rrggbb</c> (lower case), the form every figure writes.</summary>
    public string ToHex() => $"#{R:x2}{G:x2}{B:x2}";

    /// <summary>Parses <c>#rrggbb</c>.</summary>
    /// <exception cref="FormatException">Not seven characters of the form <c>#rrggbb</c>.</exception>
    public static Rgb Parse(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        if (hex.Length != 7 || hex[0] != '#'
            || !int.TryParse(hex.AsSpan(1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var v))
            throw new FormatException($"Colour '{hex}' is not of the form #rrggbb.");
        return new Rgb((byte)(v >> 16), (byte)(v >> 8), (byte)v);
    }

    /// <summary>Relative luminance in [0, 1] (Rec. 709 weights on the gamma-encoded values; enough to pick text contrast).</summary>
    public double Luminance => (0.2126 * R + 0.7152 * G + 0.0722 * B) / 255.0;

    /// <summary><c>(1 − a)·this + a·other</c> per channel, rounded to nearest.</summary>
    public Rgb Blend(Rgb other, double a) => new(Mix(R, other.R, a), Mix(G, other.G, a), Mix(B, other.B, a));

    internal static byte Mix(byte x, byte y, double a) => (byte)Math.Round((1 - a) * x + a * y, MidpointRounding.AwayFromZero);
}

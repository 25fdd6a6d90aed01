namespace Micar.Data.Images;

/// <summary>
/// Layout of the 8-bit interleaved samples of an <see cref="Image"/>; the names follow PIL's image modes
/// (<c>L</c>, <c>LA</c>, <c>RGB</c>, <c>RGBA</c>, <c>CMYK</c>).
/// </summary>
public enum ColorMode
{
    /// <summary>One grey sample per pixel (PIL <c>L</c>).</summary>
    Grey,

    /// <summary>Grey then alpha (PIL <c>LA</c>); alpha is not premultiplied.</summary>
    GreyAlpha,

    /// <summary>Red, green, blue (PIL <c>RGB</c>).</summary>
    Rgb,

    /// <summary>Red, green, blue, alpha (PIL <c>RGBA</c>); alpha is not premultiplied.</summary>
    Rgba,

    /// <summary>Cyan, magenta, yellow, black ink amounts, 255 = full ink (PIL <c>CMYK</c>).</summary>
    Cmyk,
}

/// <summary>Properties of <see cref="ColorMode"/> values.</summary>
public static class ColorModeExtensions
{
    /// <summary>Number of samples per pixel.</summary>
    public static int Channels(this ColorMode mode) => mode switch
    {
        ColorMode.Grey => 1,
        ColorMode.GreyAlpha => 2,
        ColorMode.Rgb => 3,
        ColorMode.Rgba => 4,
        ColorMode.Cmyk => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown colour mode"),
    };

    /// <summary>Whether the last sample of each pixel is an alpha (opacity) value.</summary>
    public static bool HasAlpha(this ColorMode mode) => mode is ColorMode.GreyAlpha or ColorMode.Rgba;
}

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

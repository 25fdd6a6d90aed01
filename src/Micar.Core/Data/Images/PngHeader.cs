namespace Micar.Data.Images;

/// <summary>The fields of a PNG <c>IHDR</c> chunk that decoding depends on.</summary>
/// <param name="Width">Width in pixels (1 to 2³¹−1).</param>
/// <param name="Height">Height in pixels (1 to 2³¹−1).</param>
/// <param name="BitDepth">Bits per sample: 1, 2, 4, 8 or 16, as the colour type allows.</param>
/// <param name="ColorType">0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA.</param>
/// <param name="Interlaced">Whether the image data is Adam7-interlaced.</param>
internal readonly record struct PngHeader(int Width, int Height, int BitDepth, int ColorType, bool Interlaced)
{
    /// <summary><c>IHDR</c> colour type of grey images.</summary>
    public const int Grey = 0;

    /// <summary><c>IHDR</c> colour type of RGB images.</summary>
    public const int Rgb = 2;

    /// <summary><c>IHDR</c> colour type of palette images.</summary>
    public const int Palette = 3;

    /// <summary><c>IHDR</c> colour type of grey+alpha images.</summary>
    public const int GreyAlpha = 4;

    /// <summary><c>IHDR</c> colour type of RGBA images.</summary>
    public const int Rgba = 6;

    /// <summary>Short description such as <c>16-bit RGBA</c>.</summary>
    public string Describe() => $"{BitDepth}-bit " + ColorType switch
    {
        Grey => "grey",
        Rgb => "RGB",
        Palette => "palette",
        GreyAlpha => "grey+alpha",
        Rgba => "RGBA",
        _ => $"colour type {ColorType}",
    };
}

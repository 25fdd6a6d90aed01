namespace Micar.Data.Images;

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

using Micar.Data.Images;
using Xunit;

namespace Micar.Tests.Images;

public sealed class ImageTests
{
    [Fact]
    public void Constructor_checks_the_pixel_count()
    {
        var e = Assert.Throws<ArgumentException>(() => new Image(2, 2, ColorMode.Rgb, new byte[11]));
        Assert.Contains("2x2 Rgb image needs 12 bytes", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Image(0, 2, ColorMode.Grey, []));
        var image = new Image(3, 2, ColorMode.GreyAlpha, new byte[12]);
        Assert.Equal((2, 6), (image.Channels, image.Stride));
    }

    [Fact]
    public void Grey_and_grey_alpha_are_replicated_and_alpha_dropped()
    {
        var grey = new Image(2, 1, ColorMode.Grey, [7, 200]).ToRgb();
        Assert.Equal([7, 7, 7, 200, 200, 200], grey.Pixels);
        var greyAlpha = new Image(2, 1, ColorMode.GreyAlpha, [7, 0, 200, 255]).ToRgb();
        Assert.Equal([7, 7, 7, 200, 200, 200], greyAlpha.Pixels);
    }

    [Fact]
    public void Rgba_drops_alpha_without_compositing()
    {
        var rgb = new Image(2, 1, ColorMode.Rgba, [10, 20, 30, 0, 40, 50, 60, 128]).ToRgb();
        Assert.Equal(ColorMode.Rgb, rgb.Mode);
        Assert.Equal([10, 20, 30, 40, 50, 60], rgb.Pixels);
    }

    [Fact]
    public void Cmyk_uses_PIL_formula()
    {
        // PIL 9.4: Image.frombytes("CMYK", (1, 1), bytes([172, 48, 117, 192])).convert("RGB") == (21, 51, 34):
        // 63 − round(172·63/255) = 63 − 42 = 21, 63 − round(11.86) = 51, 63 − round(28.91) = 34.
        var rgb = new Image(3, 1, ColorMode.Cmyk, [172, 48, 117, 192, 0, 0, 0, 0, 255, 255, 255, 255]).ToRgb();
        Assert.Equal([21, 51, 34, 255, 255, 255, 0, 0, 0], rgb.Pixels);
    }

    [Fact]
    public void Rgb_to_rgb_is_the_same_instance()
    {
        var rgb = new Image(1, 1, ColorMode.Rgb, [1, 2, 3]);
        Assert.Same(rgb, rgb.ToRgb());
    }
}

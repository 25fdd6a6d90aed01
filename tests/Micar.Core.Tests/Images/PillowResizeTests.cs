using Micar.Data.Images;
using Xunit;

namespace Micar.Tests.Images;

/// <summary>Hand-computed cases of Pillow's bilinear resampling (each also checked against PIL 9.4's <c>Image.resize</c>).</summary>
public sealed class PillowResizeTests
{
    private static byte[] ResizeRow(byte[] row, int width) =>
        PillowResize.Bilinear(new Image(row.Length, 1, ColorMode.Grey, row), width, 1).Pixels;

    [Fact]
    public void Downscale_by_two_averages_over_the_widened_triangle()
    {
        // 4 -> 2: scale 2, support 2. Output 0 is centred at 1.0 and reads inputs 0..2 with triangle weights
        // 0.75, 0.75, 0.25 (normalised 3/7, 3/7, 1/7): (3·10 + 3·20 + 30) / 7 = 17.1 -> 17.
        // Output 1, centred at 3.0, reads inputs 1..3 with 1/7, 3/7, 3/7: (20 + 90 + 120) / 7 = 32.9 -> 33.
        Assert.Equal([17, 33], ResizeRow([10, 20, 30, 40], 2));
    }

    [Fact]
    public void Upscale_interpolates_linearly()
    {
        // 2 -> 4: centres 0.25, 0.75, 1.25, 1.75; the edge samples see a single input.
        Assert.Equal([0, 25, 75, 100], ResizeRow([0, 100], 4));
    }

    [Fact]
    public void Stripes_are_antialiased_as_by_Pillow()
    {
        // PIL 9.4: Image.fromarray(np.array([[0,255,0,255,0,255,0]], np.uint8)).resize((3, 1), Image.BILINEAR)
        Assert.Equal([109, 135, 109], ResizeRow([0, 255, 0, 255, 0, 255, 0], 3));
    }

    [Fact]
    public void Unchanged_size_is_an_exact_copy()
    {
        var image = new Image(3, 2, ColorMode.Rgb, Enumerable.Range(0, 18).Select(i => (byte)(i * 13)).ToArray());
        Assert.Equal(image.Pixels, PillowResize.Bilinear(image, 3, 2).Pixels);
    }

    [Fact]
    public void Crop_equals_the_region_of_the_full_resize()
    {
        var random = new Random(3);
        var pixels = new byte[37 * 29 * 3];
        random.NextBytes(pixels);
        var image = new Image(37, 29, ColorMode.Rgb, pixels);
        var full = PillowResize.Bilinear(image, 23, 41);
        var crop = PillowResize.BilinearCrop(image, 23, 41, 5, 9, 11, 17);
        for (var y = 0; y < 17; y++)
            Assert.Equal(full.Row(y + 9).Slice(5 * 3, 11 * 3).ToArray(), crop.Row(y).ToArray());
    }

    [Fact]
    public void Grey_and_rgb_resize_identically_per_channel()
    {
        var random = new Random(4);
        var grey = new byte[19 * 13];
        random.NextBytes(grey);
        var small = PillowResize.Bilinear(new Image(19, 13, ColorMode.Grey, grey), 7, 30);
        var rgb = PillowResize.Bilinear(new Image(19, 13, ColorMode.Grey, grey).ToRgb(), 7, 30);
        Assert.Equal(small.ToRgb().Pixels, rgb.Pixels);
    }

    [Fact]
    public void Images_with_alpha_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => PillowResize.Bilinear(new Image(1, 1, ColorMode.Rgba, new byte[4]), 2, 2));
        Assert.Contains("premultiplies alpha", e.Message);
    }
}

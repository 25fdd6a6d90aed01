using Micar.Data.Images;
using Micar.Reports.Plotting;
using Xunit;
using static Micar.Tests.Reports.FigureFiles;

namespace Micar.Tests.Reports;

public sealed class RasterTests
{
    [Fact]
    public void Upsampling_interpolates_between_cell_centres_and_clamps_at_the_edges()
    {
        // 2×2 → 4×4: source x for output 0..3 is -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1).
        var up = MapUpsampler.Bilinear([0f, 1f, 2f, 3f], 2, 2, 4, 4);
        float[] expected =
        [
            0f, 0.25f, 0.75f, 1f,
            0.5f, 0.75f, 1.25f, 1.5f,
            1.5f, 1.75f, 2.25f, 2.5f,
            2f, 2.25f, 2.75f, 3f,
        ];
        Assert.Equal(expected, up);
    }

    [Fact]
    public void Upsampling_to_the_same_size_is_the_identity_and_a_single_cell_is_constant()
    {
        float[] map = [0.1f, 0.7f, 0.2f, 0.9f, 0.3f, 0.5f];
        Assert.Equal(map, MapUpsampler.Bilinear(map, 2, 3, 3, 2));
        Assert.All(MapUpsampler.Bilinear([0.4f], 1, 1, 5, 3), v => Assert.Equal(0.4f, v));
        var e = Assert.Throws<ArgumentException>(() => MapUpsampler.Bilinear([1f, 2f], 2, 2, 4, 4));
        Assert.Contains("2x2 map needs 4 values, got 2", e.Message);
    }

    [Fact]
    public void Overlay_blends_the_normalised_map_over_the_image()
    {
        var image = new RgbRaster(4, 4);
        Array.Fill(image.Pixels, (byte)100);
        var blended = AttentionOverlay.Blend(image, [0f, 1f, 2f, 3f], 2, 2, 0.5, Colormap.Viridis);
        // Corner (0,0) has the map minimum → viridis(0) = (68, 1, 84): (100+68)/2 = 84, (100+1)/2 = 50.5 → 51, (100+84)/2 = 92.
        Assert.Equal(new Rgb(84, 51, 92), blended[0, 0]);
        // Corner (3,3) has the maximum → viridis(1) = (253, 231, 37): 176.5 → 177, 165.5 → 166, 68.5 → 69.
        Assert.Equal(new Rgb(177, 166, 69), blended[3, 3]);
        // Pixel (1,1) upsamples to 0.75 of the range [0, 3] → t = 0.25 → #3b528b = (59, 82, 139).
        Assert.Equal(new Rgb(80, 91, 120), blended[1, 1]);
        Assert.Equal((byte)100, image.Pixels[0]);   // the input is untouched
        Assert.Throws<ArgumentOutOfRangeException>(() => AttentionOverlay.Blend(image, [0f], 1, 1, 1.5, Colormap.Viridis));
    }

    [Fact]
    public void Raster_png_has_the_raster_size_and_pixels()
    {
        var raster = new RgbRaster(5, 3);
        raster[4, 2] = new Rgb(1, 2, 3);
        raster[0, 0] = new Rgb(250, 128, 7);
        var png = raster.ToPng();
        Assert.Equal((5, 3), PngSize(png));
        var decoded = ImageIO.Decode(png, "raster");
        Assert.Equal(ColorMode.Rgb, decoded.Mode);
        Assert.Equal(raster.Pixels, decoded.Pixels);
        Assert.Equal(png, raster.ToPng());   // deterministic
        Assert.Throws<ArgumentOutOfRangeException>(() => raster[5, 0]);
    }

    [Fact]
    public void Images_are_converted_to_rgb_and_resized()
    {
        var grey = new Image(4, 2, ColorMode.Grey, [0, 10, 20, 30, 40, 50, 60, 70]);
        var same = RgbRaster.FromImage(grey, 4, 2);
        Assert.Equal(new Rgb(50, 50, 50), same[1, 1]);
        var small = RgbRaster.FromImage(grey, 2, 1);
        Assert.Equal((2, 1), (small.Width, small.Height));
        Assert.Equal(PillowResize.Bilinear(grey.ToRgb(), 2, 1).Pixels, small.Pixels);
    }

    [Fact]
    public void Fit_scales_the_longer_side_and_keeps_the_aspect()
    {
        var wide = new Image(300, 200, ColorMode.Grey, new byte[300 * 200]);
        var down = RgbRaster.Fit(wide, 120);
        Assert.Equal((120, 80), (down.Width, down.Height));
        var tall = new Image(16, 33, ColorMode.Rgb, new byte[16 * 33 * 3]);
        var up = RgbRaster.Fit(tall, 66);
        Assert.Equal((32, 66), (up.Width, up.Height));
        var thin = RgbRaster.Fit(new Image(1, 500, ColorMode.Grey, new byte[500]), 100);   // 0.2 px rounds up to 1
        Assert.Equal((1, 100), (thin.Width, thin.Height));
    }

    [Fact]
    public void Tile_grid_embeds_each_tile_with_its_caption()
    {
        var tiles = Enumerable.Range(0, 3).Select(i => new LabelledTile(new RgbRaster(80, 10), i == 2 ? "a very long token label indeed" : $"{i}: <t{i}>")).ToList();
        var svg = ParseSvg(new TileGrid { Tiles = tiles, Columns = 2, Title = "Tiles", ColorBarCaption = "scale" }.Render().ToSvg());
        var images = svg.Descendants(Svg + "image").ToList();
        Assert.Equal(3, images.Count);
        foreach (var image in images)
        {
            var (mime, png) = DataUri(image.Attribute(XLink + "href")!.Value);
            Assert.Equal("image/png", mime);
            Assert.Equal((80, 10), PngSize(png));
            Assert.Equal((80.0, 10.0), (Number(image, "width"), Number(image, "height")));
        }
        Assert.Equal([10.0, 100.0, 10.0], images.Select(i => Number(i, "x")));
        var texts = Texts(svg);
        Assert.Contains("0: <t0>", texts);
        Assert.Contains("1: <t1>", texts);
        Assert.Contains("a very lon…", texts);   // 80 px wide tile: 11 characters at most
        Assert.Contains(svg.Descendants(Svg + "title"), t => t.Value == "a very long token label indeed");
        Assert.Contains("scale", texts);
    }
}

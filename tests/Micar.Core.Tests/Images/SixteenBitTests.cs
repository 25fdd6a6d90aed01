using Micar.Data.Images;
using Xunit;

namespace Micar.Tests.Images;

/// <summary>
/// 16-bit grey PNGs: PIL's clipping by default (bit-identical to before), one warning per process when it
/// clips, and the min-max and window mappings for CT/MR data.
/// </summary>
public sealed class SixteenBitTests
{
    private static readonly ushort[] Samples = [0, 1, 100, 254, 255, 256, 700, 1000, 4095, 30_000, 65_534, 65_535];

    private static Image Decode(byte[] png, SixteenBitMapping? mapping = null, string name = "scan.png") =>
        ImageIO.Decode(png, name, mapping is null ? null : new ImageDecodeOptions { SixteenBit = mapping });

    [Fact]
    public void By_default_values_are_clipped_at_255_as_before()
    {
        var image = Decode(CraftedPng.Grey16(4, Samples));
        Assert.Equal((4, 3, ColorMode.Grey), (image.Width, image.Height, image.Mode));
        Assert.Equal(Samples.Select(v => (byte)Math.Min(v, (ushort)255)).ToArray(), image.Pixels);
        Assert.Equal(image.Pixels, Decode(CraftedPng.Grey16(4, Samples), SixteenBitMapping.Clip).Pixels);
    }

    [Fact]
    public void Clipping_is_reported_once_per_process()
    {
        var warnings = new List<string>();
        ImageWarnings.Reset(warnings.Add);
        try
        {
            Decode(CraftedPng.Grey16(3, 10, 20, 30));   // nothing above 255: nothing lost, no warning
            Assert.Empty(warnings);
            Decode(CraftedPng.Grey16(4, Samples), name: "first.png");
            Decode(CraftedPng.Grey16(4, Samples), name: "second.png");
            Decode(CraftedPng.Grey16(4, Samples), SixteenBitMapping.MinMax);
            var warning = Assert.Single(warnings);
            Assert.Contains("16-bit grey", warning);
            Assert.Contains("clipped to 255", warning);
            Assert.Contains("ImageDecodeOptions.SixteenBit", warning);
        }
        finally
        {
            ImageWarnings.Reset();
        }
    }

    [Fact]
    public void MinMax_stretches_each_image_onto_0_to_255()
    {
        Assert.Equal([0, 64, 128, 255], Decode(CraftedPng.Grey16(4, 1000, 1500, 2000, 3000), SixteenBitMapping.MinMax).Pixels);
        Assert.Equal([0, 0, 0], Decode(CraftedPng.Grey16(3, 700, 700, 700), SixteenBitMapping.MinMax).Pixels);
        var full = Decode(CraftedPng.Grey16(4, Samples), SixteenBitMapping.MinMax).Pixels;
        Assert.Equal(0, full[0]);
        Assert.Equal(255, full[^1]);
        Assert.Equal(Samples.Select(v => (byte)((v * 510L + 65_535) / (2 * 65_535))).ToArray(), full);
    }

    [Fact]
    public void Window_maps_low_to_high_linearly_and_clamps_outside()
    {
        var image = Decode(CraftedPng.Grey16(7, 0, 1000, 1250, 1500, 1999, 2000, 65_535), SixteenBitMapping.Window(1000, 2000));
        Assert.Equal([0, 0, 64, 128, 255, 255, 255], image.Pixels);
    }

    [Fact]
    public void The_mapping_applies_to_the_grey_of_grey_alpha_and_alpha_keeps_its_high_byte()
    {
        var png = CraftedPng.GreyAlpha16((1000, 0x1234), (1500, 0xFF00), (3000, 0x00FF));
        Assert.Equal([0x03, 0x12, 0x05, 0xFF, 0x0B, 0x00], Decode(png).Pixels);   // PIL: high bytes
        Assert.Equal([0, 0x12, 128, 0xFF, 255, 0x00], Decode(png, SixteenBitMapping.Window(1000, 2000)).Pixels);
        Assert.Equal([0, 0x12, 64, 0xFF, 255, 0x00], Decode(png, SixteenBitMapping.MinMax).Pixels);
    }

    [Fact]
    public void The_fixture_decodes_as_PIL_does_with_the_default_and_differently_with_min_max()
    {
        var data = File.ReadAllBytes(ImageFixtures.PathOf("grey16_160x120.png"));
        var pil = ImageFixtures.Entry("grey16_160x120.png").Str("nativeSha256");
        Assert.Equal(pil, ImageFixtures.Sha256(ImageIO.Decode(data, "f", new ImageDecodeOptions { SixteenBit = SixteenBitMapping.Clip }).Pixels));
        var stretched = ImageIO.Decode(data, "f", new ImageDecodeOptions { SixteenBit = SixteenBitMapping.MinMax }).Pixels;
        Assert.NotEqual(pil, ImageFixtures.Sha256(stretched));
        Assert.Equal(255, stretched.Max());
    }

    [Theory]
    [InlineData("clip", "clip")]
    [InlineData("MinMax", "minmax")]
    [InlineData("window:100:4000", "window:100:4000")]
    [InlineData("100:4000", "window:100:4000")]
    [InlineData(" WINDOW:0:65535 ", "window:0:65535")]
    public void Parse_reads_the_command_line_forms(string text, string canonical)
    {
        var mapping = SixteenBitMapping.Parse(text);
        Assert.Equal(canonical, mapping.ToString());
        Assert.Equal(mapping, SixteenBitMapping.Parse(mapping.ToString()));
    }

    [Theory]
    [InlineData("window:5")]
    [InlineData("4000:100")]
    [InlineData("0:70000")]
    [InlineData("-5:100")]
    [InlineData("stretch")]
    [InlineData("")]
    public void Parse_errors_quote_the_text(string text)
    {
        var e = Assert.Throws<FormatException>(() => SixteenBitMapping.Parse(text));
        Assert.Contains($"'{text}'", e.Message);
    }

    [Fact]
    public void Window_checks_its_bounds()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SixteenBitMapping.Window(10, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => SixteenBitMapping.Window(-1, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => SixteenBitMapping.Window(0, 65_536));
        Assert.Equal((SixteenBitMode.Window, 10, 20), (SixteenBitMapping.Window(10, 20).Mode, SixteenBitMapping.Window(10, 20).Low, SixteenBitMapping.Window(10, 20).High));
    }
}

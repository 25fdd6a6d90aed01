using Micar.Data.Images;
using Xunit;
using Xunit.Abstractions;

namespace Micar.Tests.Images;

/// <summary>Decoded pixels against PIL 9.4 (Debian) on the generated fixtures.</summary>
public sealed class ImageDecodingTests(ITestOutputHelper output)
{
    public static TheoryData<string> ExactPngs =>
        ImageFixtures.Files(e => e.Str("format") == "png" && !e.Has("decodedNative"));

    public static TheoryData<string> Jpegs => ImageFixtures.Files(e => e.Str("format") == "jpeg");

    public static TheoryData<string> All => ImageFixtures.Files(_ => true);

    [Theory]
    [MemberData(nameof(All))]
    public void Size_and_mode_match_PIL(string file)
    {
        var entry = ImageFixtures.Entry(file);
        var image = ImageIO.Load(ImageFixtures.PathOf(file));
        Assert.Equal(entry.GetProperty("width").GetInt32(), image.Width);
        Assert.Equal(entry.GetProperty("height").GetInt32(), image.Height);
        Assert.Equal(Enum.Parse<ColorMode>(entry.Str("mode")), image.Mode);
    }

    [Theory]
    [MemberData(nameof(ExactPngs))]
    public void Png_pixels_equal_PIL_exactly(string file)
    {
        var entry = ImageFixtures.Entry(file);
        var image = ImageIO.Load(ImageFixtures.PathOf(file));
        Assert.Equal(entry.Str("nativeSha256"), ImageFixtures.Sha256(image.Pixels));
        Assert.Equal(entry.Str("rgbSha256"), ImageFixtures.Sha256(image.ToRgb().Pixels));
    }

    [Fact]
    public void Rgba16_png_differs_from_PIL_by_at_most_one_level()
    {
        const string file = "rgba16_110x80.png";
        var image = ImageIO.Load(ImageFixtures.PathOf(file));
        var reference = ImageIO.Load(ImageFixtures.PathOf(ImageFixtures.Entry(file).Str("decodedNative")));
        Assert.Equal(ColorMode.Rgba, reference.Mode);
        var (max, mean, differing) = Compare(image.Pixels, reference.Pixels);
        output.WriteLine($"{file}: max |diff| {max}, mean {mean:F4}, {differing} of {image.Pixels.Length} samples differ");
        Assert.True(max <= 1, $"max difference {max}");
        Assert.True(differing > 0, "libpng's rounded 16→8 reduction should differ from PIL's truncation somewhere");
    }

    [Theory]
    [MemberData(nameof(Jpegs))]
    public void Jpeg_pixels_match_PIL_within_IDCT_tolerance(string file)
    {
        var entry = ImageFixtures.Entry(file);
        var rgb = ImageIO.Load(ImageFixtures.PathOf(file)).ToRgb();
        var reference = ImageIO.Load(ImageFixtures.PathOf(entry.Str("decodedRgb")));
        Assert.Equal(ColorMode.Rgb, reference.Mode);
        var (max, mean, differing) = Compare(rgb.Pixels, reference.Pixels);
        var exact = ImageFixtures.Sha256(rgb.Pixels) == entry.Str("rgbSha256");
        output.WriteLine($"{file}: max |diff| {max}, mean {mean:F4}, {differing} samples differ, bit-exact: {exact}");
        Assert.True(max <= 2, $"max difference {max}");
        Assert.True(mean <= 0.05, $"mean difference {mean}");
    }

    [Fact]
    public void Cmyk_jpeg_is_inverted_like_PIL()
    {
        var entry = ImageFixtures.Entry("cmyk_q95_120x90.jpg");
        var image = ImageIO.Load(ImageFixtures.PathOf("cmyk_q95_120x90.jpg"));
        Assert.Equal(ColorMode.Cmyk, image.Mode);
        Assert.Equal(entry.Str("nativeSha256"), ImageFixtures.Sha256(image.Pixels));
    }

    [Fact]
    public void Format_is_detected_from_bytes_not_extension()
    {
        var png = File.ReadAllBytes(ImageFixtures.PathOf("grey2_64x48.png"));
        var path = Path.Combine(Path.GetTempPath(), $"micar-{Guid.NewGuid():N}.jpg");
        try
        {
            File.WriteAllBytes(path, png);
            var image = ImageIO.Load(path);
            Assert.Equal((64, 48, ColorMode.Grey), (image.Width, image.Height, image.Mode));
        }
        finally
        {
            File.Delete(path);
        }
        Assert.Equal(ImageFileFormat.Png, ImageSignature.Detect(png));
        Assert.Equal(ImageFileFormat.Jpeg, ImageSignature.Detect(File.ReadAllBytes(ImageFixtures.PathOf("grey_q85_180x320.jpg"))));
        Assert.Equal(ImageFileFormat.Unknown, ImageSignature.Detect("GIF89a"u8));
    }

    [Fact]
    public void Low_bit_depth_grey_is_scaled_to_full_range()
    {
        var two = ImageIO.Load(ImageFixtures.PathOf("grey2_64x48.png"));
        Assert.Equal([0, 85, 170, 255], two.Pixels.Distinct().Order().Select(b => (int)b).ToArray());
        var one = ImageIO.Load(ImageFixtures.PathOf("grey1_adam7_61x37.png"));
        Assert.Equal([0, 255], one.Pixels.Distinct().Order().Select(b => (int)b).ToArray());
    }

    [Fact]
    public void Sixteen_bit_grey_is_clipped_like_PIL()
    {
        // The fixture's samples span 0..700; PIL's I -> L/RGB conversion clips at 255 rather than rescaling.
        var image = ImageIO.Load(ImageFixtures.PathOf("grey16_160x120.png"));
        Assert.Contains(image.Pixels, b => b == 255);
        Assert.Contains(image.Pixels, b => b < 255);
    }

    internal static (int Max, double Mean, int Differing) Compare(byte[] actual, byte[] expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        int max = 0, differing = 0;
        long sum = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            var d = Math.Abs(actual[i] - expected[i]);
            max = Math.Max(max, d);
            sum += d;
            if (d != 0)
                differing++;
        }
        return (max, (double)sum / actual.Length, differing);
    }
}

using Micar.Data.Images;
using Xunit;

namespace Micar.Tests.Synthetic;

public sealed class PngEncoderTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "micar-png-" + Guid.NewGuid().ToString("N"));

    public PngEncoderTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static byte[] Pattern(int width, int height, int channels)
    {
        var pixels = new byte[width * height * channels];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (byte)((i * 37 + (i / 7) * 11) % 256);
        }

        return pixels;
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 4)]
    [InlineData(3, 2)]
    [InlineData(4, 6)]
    public void Encode_RoundTripsThroughAnIndependentDecoder(int channels, int colourType)
    {
        var pixels = Pattern(13, 7, channels);
        var png = PngEncoder.Encode(pixels, 13, 7, channels);

        Assert.Equal(colourType, png[8 + 8 + 9]); // IHDR colour type byte
        var image = PngTestDecoder.Decode(png);
        Assert.Equal((13, 7, channels), (image.Width, image.Height, image.Channels));
        Assert.Equal(pixels, image.Pixels);
        Assert.Equal("IHDR", image.Chunks[0]);
        Assert.Equal("IEND", image.Chunks[^1]);
    }

    [Fact]
    public void Encode_FastMode_IsStillAValidImageOfTheSamePixels()
    {
        var pixels = Pattern(64, 48, 1);
        var image = PngTestDecoder.Decode(PngEncoder.Encode(pixels, 64, 48, 1, fast: true));
        Assert.Equal(pixels, image.Pixels);
    }

    [Fact]
    public void Encode_IsDeterministic_AndSinglePixelImagesWork()
    {
        var pixels = Pattern(31, 17, 3);
        Assert.Equal(PngEncoder.Encode(pixels, 31, 17, 3), PngEncoder.Encode(pixels, 31, 17, 3));
        Assert.Equal(new byte[] { 200 }, PngTestDecoder.Decode(PngEncoder.Encode(new byte[] { 200 }, 1, 1, 1)).Pixels);
    }

    [Fact]
    public void Encode_LargeIncompressibleImage_GrowsItsBufferAndRoundTrips()
    {
        var random = new Random(5); // deterministic for a fixed seed
        var pixels = new byte[300 * 200 * 4];
        random.NextBytes(pixels);
        Assert.Equal(pixels, PngTestDecoder.Decode(PngEncoder.Encode(pixels, 300, 200, 4)).Pixels);
    }

    [Theory]
    [InlineData(0, 5, 1, 0, "width and height")]
    [InlineData(5, 5, 0, 0, "channels")]
    [InlineData(5, 5, 5, 125, "channels")]
    [InlineData(5, 5, 1, 24, "needs 25")]
    public void Encode_RejectsInconsistentArguments(int width, int height, int channels, int length, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => PngEncoder.Encode(new byte[length], width, height, channels));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Save_WritesTheEncodedBytes_ReplacesAtomically_AndLeavesNoTemporaryFile()
    {
        var path = Path.Combine(_dir, "a.png");
        File.WriteAllText(path, "old contents");
        var pixels = Pattern(10, 10, 1);

        PngEncoder.Save(path, pixels, 10, 10, 1);

        Assert.Equal(PngEncoder.Encode(pixels, 10, 10, 1), File.ReadAllBytes(path));
        Assert.Equal(["a.png"], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void Save_Errors_NameThePath()
    {
        var missing = Path.Combine(_dir, "no-such-dir", "b.png");
        var io = Assert.Throws<IOException>(() => PngEncoder.Save(missing, new byte[4], 2, 2, 1));
        Assert.Contains(missing, io.Message);

        var bad = Path.Combine(_dir, "c.png");
        var arg = Assert.Throws<ArgumentException>(() => PngEncoder.Save(bad, new byte[3], 2, 2, 1));
        Assert.Contains(bad, arg.Message);
        Assert.False(File.Exists(bad));
    }
}

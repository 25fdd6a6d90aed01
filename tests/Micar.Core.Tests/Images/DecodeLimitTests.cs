using System.Globalization;
using Micar.Data.Images;
using Xunit;

namespace Micar.Tests.Images;

/// <summary>
/// Decompression bombs — a small file whose header claims an image that needs far more memory — are refused
/// from the header (<see cref="ImageDecodeOptions.MaxDecodedBytes"/>) before the pixel buffer is allocated.
/// </summary>
public sealed class DecodeLimitTests
{
    private const long AllocationBound = 64 << 10;   // what refusing may allocate: far below any of the images

    private static byte[] Fixture(string file) => File.ReadAllBytes(ImageFixtures.PathOf(file));

    /// <summary>Decodes and expects a refusal; returns it with the bytes the current thread allocated meanwhile.</summary>
    private static (ImageDecodeException Error, long Allocated) Refused(byte[] data, string name, ImageDecodeOptions? options = null)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ImageDecodeException>(() => ImageIO.Decode(data, name, options));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(name, e.FileName);
        return (e, allocated);
    }

    [Fact]
    public void A_16_bit_RGBA_png_near_the_pixel_limit_is_refused_before_allocating()
    {
        // 169 million pixels (under PIL's 178,956,970) in a file of a few hundred bytes; decoding it needs 676 MB.
        var png = CraftedPng.Build(13_000, 13_000, 16, 6);
        Assert.True(png.Length < 1000);
        var (e, allocated) = Refused(png, "bomb.png");
        Assert.True(allocated < AllocationBound, $"refusing allocated {allocated} bytes");
        Assert.Equal("16-bit RGBA PNG of 13000x13000 pixels needs 676,000,000 bytes to decode, more than the limit of " +
                     "536,870,912 bytes (ImageDecodeOptions.MaxDecodedBytes)", e.Reason);
        Assert.Contains("'bomb.png'", e.Message);
    }

    [Fact]
    public void A_16_bit_RGB_png_counts_its_16_bit_samples_and_8_bit_result()
    {
        var png = CraftedPng.Build(8_000, 8_000, 16, 2);
        Assert.Equal(64_000_000L * 9, ImageIO.Inspect(png, "rgb16.png", new ImageDecodeOptions { MaxDecodedBytes = long.MaxValue }).DecodeBytes);
        var (e, allocated) = Refused(png, "rgb16.png");
        Assert.True(allocated < AllocationBound, $"refusing allocated {allocated} bytes");
        Assert.Contains("16-bit RGB PNG of 8000x8000 pixels needs 576,000,000 bytes", e.Reason);
        Assert.Contains("ImageDecodeOptions.MaxDecodedBytes", Assert.Throws<ImageDecodeException>(() => ImageIO.Inspect(png, "rgb16.png")).Reason);
    }

    [Fact]
    public void A_progressive_jpeg_counts_libjpeg_s_coefficient_buffer()
    {
        // The SOF2 of a real progressive 4:4:4 JPEG, rewritten to 10000 x 10000: 300 MB of RGB plus 600 MB of
        // coefficients libjpeg would allocate for the whole image before reading any scan.
        var jpeg = WithSize(Fixture("rgb_progressive_444_257x199.jpg"), 10_000, 10_000);
        var (e, allocated) = Refused(jpeg, "bomb.jpg");
        Assert.True(allocated < AllocationBound, $"refusing allocated {allocated} bytes");
        Assert.Equal("progressive JPEG of 10000x10000 pixels needs 900,000,000 bytes to decode, more than the limit of " +
                     "536,870,912 bytes (ImageDecodeOptions.MaxDecodedBytes)", e.Reason);
    }

    [Fact]
    public void A_baseline_jpeg_header_with_huge_dimensions_is_refused_under_a_lower_limit()
    {
        var jpeg = WithSize(Fixture("rgb_q90_420_360x270.jpg"), 8_000, 8_000);
        var options = new ImageDecodeOptions { MaxDecodedBytes = 100_000_000 };
        var (e, allocated) = Refused(jpeg, "big.jpg", options);
        Assert.True(allocated < AllocationBound, $"refusing allocated {allocated} bytes");
        Assert.Contains("JPEG of 8000x8000 pixels needs 192,000,000 bytes to decode, more than the limit of 100,000,000 bytes", e.Reason);
    }

    [Theory]
    [InlineData("rgb_q90_420_360x270.jpg")]
    [InlineData("rgb_progressive_444_257x199.jpg")]
    [InlineData("grey16_160x120.png")]
    [InlineData("rgb16_adam7_120x100.png")]
    [InlineData("palette8_trns_480x640.png")]
    public void The_limit_works_both_ways(string file)
    {
        var data = Fixture(file);
        var needed = ImageIO.Inspect(data, file).DecodeBytes;
        var expected = ImageIO.Decode(data, file);
        var exact = ImageIO.Decode(data, file, new ImageDecodeOptions { MaxDecodedBytes = needed });
        Assert.Equal(expected.Pixels, exact.Pixels);
        var e = Refused(data, file, new ImageDecodeOptions { MaxDecodedBytes = needed - 1 }).Error;
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"more than the limit of {needed - 1:N0} bytes"), e.Reason);
    }

    /// <summary>The accounting covers at least what decoding really allocates in managed memory.</summary>
    [Theory]
    [InlineData("grey16_160x120.png")]
    [InlineData("rgb16_adam7_120x100.png")]
    [InlineData("greyalpha16_100x90.png")]
    [InlineData("rgba16_110x80.png")]
    [InlineData("grey8_adam7_150x120.png")]
    [InlineData("palette8_trns_480x640.png")]
    [InlineData("rgb_q90_420_360x270.jpg")]
    public void Decode_bytes_are_no_less_than_the_pixel_buffers_allocated(string file)
    {
        var data = Fixture(file);
        var info = ImageIO.Inspect(data, file);
        ImageIO.Decode(data, file);   // warm up: JIT and native libraries
        var before = GC.GetAllocatedBytesForCurrentThread();
        var image = ImageIO.Decode(data, file);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal((image.Width, image.Height, image.Mode), (info.Width, info.Height, info.Mode));
        // Besides the pixel buffers a decode allocates only small objects and a copy of the compressed stream.
        Assert.InRange(info.DecodeBytes, allocated - data.Length - 64 * 1024, allocated);
    }

    [Fact]
    public void Inspect_reads_the_header_without_decoding()
    {
        var info = ImageIO.Inspect(Fixture("greyalpha16_100x90.png"), "ga.png");
        Assert.Equal(new ImageInfo(ImageFileFormat.Png, 100, 90, ColorMode.GreyAlpha, "16-bit grey+alpha PNG", 100 * 90 * 6), info);
        var jpeg = ImageIO.Inspect(Fixture("rgb_q90_420_360x270.jpg"), "q.jpg");
        Assert.Equal(new ImageInfo(ImageFileFormat.Jpeg, 360, 270, ColorMode.Rgb, "JPEG", 360 * 270 * 3), jpeg);
    }

    /// <summary><paramref name="jpeg"/> with the size fields of its frame header (SOF0/SOF2) replaced.</summary>
    private static byte[] WithSize(byte[] jpeg, int width, int height)
    {
        var copy = (byte[])jpeg.Clone();
        for (var i = 2; i + 9 < copy.Length; i++)
        {
            if (copy[i] == 0xFF && copy[i + 1] is 0xC0 or 0xC2)
            {
                copy[i + 5] = (byte)(height >> 8);
                copy[i + 6] = (byte)height;
                copy[i + 7] = (byte)(width >> 8);
                copy[i + 8] = (byte)width;
                return copy;
            }
        }
        throw new InvalidOperationException("no SOF0/SOF2 marker");
    }
}

using Micar.Data.Images;
using Xunit;

namespace Micar.Tests.Images;

public sealed class EvalTransformTests
{
    [Theory]
    [InlineData(300, 233, 298, 232)]     // int(232 · 300 / 233) = int(298.71)
    [InlineData(233, 300, 232, 298)]
    [InlineData(257, 199, 299, 232)]     // int(299.61)
    [InlineData(100, 100, 232, 232)]
    [InlineData(2048, 2500, 232, 283)]   // int(283.20)
    [InlineData(297, 232, 297, 232)]     // unchanged: nothing is resampled
    public void Shorter_side_becomes_232_and_longer_side_is_truncated(int w, int h, int rw, int rh) =>
        Assert.Equal((rw, rh), ImageTransform.OfficialEval.ResizedSize(w, h));

    [Theory]
    [InlineData(299, 232, 38, 4)]        // round(37.5) = 38 (ties to even)
    [InlineData(297, 232, 36, 4)]        // round(36.5) = 36
    [InlineData(232, 298, 4, 37)]        // round(37.0)
    [InlineData(224, 224, 0, 0)]
    public void Crop_origin_rounds_half_to_even(int w, int h, int left, int top) =>
        Assert.Equal((left, top), ImageTransform.OfficialEval.CropOrigin(w, h));

    [Fact]
    public void Official_settings()
    {
        var t = ImageTransform.OfficialEval;
        Assert.Equal((232, 224, 224, 224, 3 * 224 * 224), (t.Resize, t.Crop, t.OutputHeight, t.OutputWidth, t.OutputLength));
        Assert.Equal(ChannelNormalization.ImageNet, t.Normalization);
        Assert.Equal(new EvalTransform(), t);
        Assert.Throws<ArgumentOutOfRangeException>(() => new EvalTransform(resize: 100, crop: 128));
    }

    [Fact]
    public void Constant_image_normalises_to_constant_planes()
    {
        var pixels = new byte[50 * 40 * 3];
        for (var i = 0; i < pixels.Length; i += 3)
            (pixels[i], pixels[i + 1], pixels[i + 2]) = ((byte)0, (byte)128, (byte)255);
        var output = new EvalTransform(resize: 16, crop: 8).Apply(new Image(50, 40, ColorMode.Rgb, pixels));
        Assert.Equal(3 * 64, output.Length);
        Assert.All(output[..64], v => Assert.Equal((0f - 0.485f) / 0.229f, v));
        Assert.All(output[64..128], v => Assert.Equal((128f / 255f - 0.456f) / 0.224f, v));
        Assert.All(output[128..], v => Assert.Equal((1f - 0.406f) / 0.225f, v));
    }

    [Fact]
    public void Output_is_channel_major_crop_of_the_resized_image()
    {
        var random = new Random(9);
        var pixels = new byte[61 * 47 * 3];
        random.NextBytes(pixels);
        var image = new Image(61, 47, ColorMode.Rgb, pixels);
        var transform = new EvalTransform(resize: 20, crop: 16, normalization: ChannelNormalization.UnitRange);
        var output = transform.Apply(image);
        // 61x47 -> int(20 · 61 / 47) = 25 x 20; crop at (round(4.5) = 4, round(2.0) = 2)
        var resized = PillowResize.Bilinear(image, 25, 20);
        for (var c = 0; c < 3; c++)
        {
            for (var y = 0; y < 16; y++)
            {
                for (var x = 0; x < 16; x++)
                    Assert.Equal(resized.Row(y + 2)[(x + 4) * 3 + c] / 255f, output[c * 256 + y * 16 + x]);
            }
        }
    }

    [Fact]
    public void Writes_into_a_batch_slot()
    {
        var image = new Image(30, 30, ColorMode.Grey, Enumerable.Repeat((byte)77, 900).ToArray());
        var transform = new SquareResizeTransform(8);
        var batch = new float[2 * transform.OutputLength];
        transform.Apply(image, batch.AsSpan(transform.OutputLength));
        Assert.All(batch[..transform.OutputLength], v => Assert.Equal(0f, v));
        Assert.Equal(transform.Apply(image), batch[transform.OutputLength..]);
        Assert.Throws<ArgumentException>(() => transform.Apply(image, new float[10]));
    }
}

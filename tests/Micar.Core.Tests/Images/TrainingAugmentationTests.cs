using Micar.Data.Images;
using Xunit;

namespace Micar.Tests.Images;

public sealed class TrainingAugmentationTests
{
    private static Image Sample(int width, int height, int seed)
    {
        var pixels = new byte[width * height * 3];
        new Random(seed).NextBytes(pixels);
        return new Image(width, height, ColorMode.Rgb, pixels);
    }

    [Fact]
    public void Same_seed_gives_the_same_output_and_other_seeds_differ()
    {
        var image = Sample(90, 70, 1);
        var augmentation = new TrainingAugmentation(32);
        var a = augmentation.Apply(image, new Random(42));
        var b = augmentation.Apply(image, new Random(42));
        var c = augmentation.Apply(image, new Random(43));
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal(3 * 32 * 32, a.Length);
    }

    [Fact]
    public void No_perturbation_on_a_square_image_equals_the_square_resize()
    {
        var image = Sample(50, 50, 2);
        var expected = new SquareResizeTransform(24).Apply(image);
        Assert.Equal(expected, new TrainingAugmentation(24, AugmentationOptions.None).Apply(image, new Random(0)));
    }

    [Fact]
    public void No_perturbation_on_a_wide_image_resizes_its_central_square()
    {
        var image = Sample(60, 40, 3);
        var centre = PillowResize.Bilinear(CropCentre(image, 10, 0, 40, 40), 16, 16);
        var expected = new SquareResizeTransform(16).Apply(centre);
        Assert.Equal(expected, new TrainingAugmentation(16, AugmentationOptions.None).Apply(image, new Random(0)));
    }

    [Fact]
    public void Brightness_only_scales_the_unit_values()
    {
        var image = new Image(8, 8, ColorMode.Grey, Enumerable.Repeat((byte)100, 64).ToArray());
        var options = AugmentationOptions.None with { Brightness = 0.5 };
        var output = new TrainingAugmentation(8, options, ChannelNormalization.UnitRange).Apply(image, new Random(7));
        // constant image: contrast has no effect; every value is 100/255 · factor with factor in [0.5, 1.5]
        var factor = output[0] / (100f / 255f);
        Assert.InRange(factor, 0.5f, 1.5f);
        Assert.NotEqual(1f, factor);
        Assert.All(output, v => Assert.Equal(output[0], v));
    }

    [Fact]
    public void Invalid_options_name_the_property()
    {
        var e = Assert.Throws<ArgumentException>(() => new TrainingAugmentation(8, new AugmentationOptions { MinCropArea = 0 }));
        Assert.Equal("MinCropArea", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => new TrainingAugmentation(8, new AugmentationOptions { Contrast = 1.5 }));
        Assert.Equal("Contrast", e.ParamName);
    }

    private static Image CropCentre(Image image, int left, int top, int width, int height)
    {
        var pixels = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
            image.Row(top + y).Slice(left * 3, width * 3).CopyTo(pixels.AsSpan(y * width * 3));
        return new Image(width, height, ColorMode.Rgb, pixels);
    }
}

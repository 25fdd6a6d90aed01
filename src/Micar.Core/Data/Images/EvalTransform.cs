using System.Buffers;

namespace Micar.Data.Images;

/// <summary>
/// torchvision's <c>ImageClassification</c> preset (what <c>ResNet101_Weights.IMAGENET1K_V2.transforms()</c>
/// returns) applied to <c>PIL.Image.open(path).convert("RGB")</c>: resize so that the shorter side is
/// <see cref="Resize"/> with Pillow's antialiased bilinear filter, centre-crop <see cref="Crop"/> ×
/// <see cref="Crop"/>, divide by 255, normalise.
/// </summary>
/// <remarks>
/// Geometry, as torchvision computes it: the longer side becomes <c>int(Resize · long / short)</c>
/// (truncated; nothing is resampled when the size does not change), and the crop starts at
/// <c>top = round((h − Crop) / 2)</c>, <c>left = round((w − Crop) / 2)</c> with ties to even (Python's
/// <c>round</c>). Only the cropped region of the resized image is computed.
/// </remarks>
public sealed record EvalTransform : ImageTransform
{
    /// <summary>Creates the transform; the defaults are the official 232 / 224 with ImageNet statistics.</summary>
    public EvalTransform(int resize = 232, int crop = 224, ChannelNormalization? normalization = null)
        : base(normalization ?? ChannelNormalization.ImageNet)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(resize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(crop);
        if (crop > resize)
            throw new ArgumentOutOfRangeException(nameof(crop), crop, $"crop must not exceed the resized shorter side {resize}");
        Resize = resize;
        Crop = crop;
    }

    /// <summary>Length of the shorter side after resizing.</summary>
    public int Resize { get; }

    /// <summary>Side of the square centre crop.</summary>
    public int Crop { get; }

    /// <inheritdoc />
    public override int OutputHeight => Crop;

    /// <inheritdoc />
    public override int OutputWidth => Crop;

    /// <summary>Size of an image of <paramref name="width"/> × <paramref name="height"/> after the resize step.</summary>
    public (int Width, int Height) ResizedSize(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        var (shorter, longer) = width <= height ? (width, height) : (height, width);
        var newLonger = (int)((double)((long)Resize * longer) / shorter);
        return width <= height ? (Resize, newLonger) : (newLonger, Resize);
    }

    /// <summary>Top-left corner of the centre crop in a resized image of <paramref name="width"/> × <paramref name="height"/>.</summary>
    public (int Left, int Top) CropOrigin(int width, int height) =>
        ((int)Math.Round((width - Crop) / 2.0, MidpointRounding.ToEven),
         (int)Math.Round((height - Crop) / 2.0, MidpointRounding.ToEven));

    /// <inheritdoc />
    public override void Apply(Image image, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(image);
        CheckDestination(destination);
        var rgb = image.ToRgb();
        var (width, height) = ResizedSize(rgb.Width, rgb.Height);
        var (left, top) = CropOrigin(width, height);
        var length = Crop * Crop * 3;
        var pixels = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            PillowResize.BilinearCrop(rgb, width, height, left, top, Crop, Crop, pixels);
            Normalization.WriteChw(pixels.AsSpan(0, length), Crop, Crop, destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(pixels);
        }
    }
}

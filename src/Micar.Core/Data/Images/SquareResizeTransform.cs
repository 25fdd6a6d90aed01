using System.Buffers;

namespace Micar.Data.Images;

/// <summary>
/// Resize to <see cref="Size"/> × <see cref="Size"/> (aspect ratio not kept) with Pillow's antialiased
/// bilinear filter, divide by 255, normalise: torchvision's
/// <c>Compose([Resize((S, S)), ToTensor(), Normalize(mean, std)])</c> on <c>convert("RGB")</c>. Meant for
/// small models trained on the CPU (e.g. 128 px).
/// </summary>
public sealed record SquareResizeTransform : ImageTransform
{
    /// <summary>Creates the transform (ImageNet statistics unless given).</summary>
    public SquareResizeTransform(int size, ChannelNormalization? normalization = null)
        : base(normalization ?? ChannelNormalization.ImageNet)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        Size = size;
    }

    /// <summary>Side of the output square.</summary>
    public int Size { get; }

    /// <inheritdoc />
    public override int OutputHeight => Size;

    /// <inheritdoc />
    public override int OutputWidth => Size;

    /// <inheritdoc />
    public override void Apply(Image image, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(image);
        CheckDestination(destination);
        var length = Size * Size * 3;
        var pixels = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            PillowResize.BilinearCrop(image.ToRgb(), Size, Size, 0, 0, Size, Size, pixels);
            Normalization.WriteChw(pixels.AsSpan(0, length), Size, Size, destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(pixels);
        }
    }
}

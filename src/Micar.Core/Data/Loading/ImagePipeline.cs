using Micar.Data.Images;

namespace Micar.Data.Loading;

/// <summary>
/// How a <see cref="CaptionDataset"/> turns a decoded image into the model's CHW floats: either a
/// deterministic <see cref="ImageTransform"/> (evaluation, and the official recipe for training too) or a
/// seeded <see cref="TrainingAugmentation"/>. Both convert implicitly, so either can be passed where a
/// pipeline is expected.
/// </summary>
public sealed class ImagePipeline
{
    private readonly ImageTransform? _transform;
    private readonly TrainingAugmentation? _augmentation;

    private ImagePipeline(ImageTransform? transform, TrainingAugmentation? augmentation)
    {
        _transform = transform;
        _augmentation = augmentation;
    }

    /// <summary>A pipeline applying the deterministic <paramref name="transform"/>.</summary>
    public static ImagePipeline Of(ImageTransform transform)
    {
        ArgumentNullException.ThrowIfNull(transform);
        return new ImagePipeline(transform, null);
    }

    /// <summary>A pipeline applying <paramref name="augmentation"/> with a per-row <see cref="Random"/>.</summary>
    public static ImagePipeline Of(TrainingAugmentation augmentation)
    {
        ArgumentNullException.ThrowIfNull(augmentation);
        return new ImagePipeline(null, augmentation);
    }

    /// <summary>Wraps a deterministic transform.</summary>
    public static implicit operator ImagePipeline(ImageTransform transform) => Of(transform);

    /// <summary>Wraps a training augmentation.</summary>
    public static implicit operator ImagePipeline(TrainingAugmentation augmentation) => Of(augmentation);

    /// <summary>True when <see cref="Apply"/> needs a <see cref="Random"/> (an augmentation).</summary>
    public bool IsRandom => _augmentation is not null;

    /// <summary>Height of the output planes.</summary>
    public int OutputHeight => _transform?.OutputHeight ?? _augmentation!.Size;

    /// <summary>Width of the output planes.</summary>
    public int OutputWidth => _transform?.OutputWidth ?? _augmentation!.Size;

    /// <summary>Floats per image: <c>3 × OutputHeight × OutputWidth</c>.</summary>
    public int OutputLength => 3 * OutputHeight * OutputWidth;

    /// <summary>
    /// Writes the CHW floats of <paramref name="image"/> into <paramref name="destination"/>.
    /// <paramref name="random"/> drives an augmentation and is ignored by a deterministic transform.
    /// </summary>
    /// <exception cref="ArgumentNullException">The pipeline is random and <paramref name="random"/> is null.</exception>
    public void Apply(Image image, Random? random, Span<float> destination)
    {
        if (_transform is not null)
        {
            _transform.Apply(image, destination);
            return;
        }
        if (random is null)
            throw new ArgumentNullException(nameof(random), "a training augmentation needs a Random for every row");
        _augmentation!.Apply(image, random, destination);
    }

    /// <inheritdoc />
    public override string ToString() => _transform?.ToString() ?? _augmentation!.ToString();
}

namespace Micar.Data.Images;

/// <summary>
/// A deterministic mapping from a decoded <see cref="Image"/> to the model's input: a float tensor in CHW
/// layout (3 × <see cref="OutputHeight"/> × <see cref="OutputWidth"/>), RGB, normalised.
/// </summary>
public abstract record ImageTransform
{
    /// <summary>Sets the normalisation applied after scaling samples to [0, 1].</summary>
    protected ImageTransform(ChannelNormalization normalization)
    {
        ArgumentNullException.ThrowIfNull(normalization);
        Normalization = normalization;
    }

    /// <summary>The official evaluation transform: <see cref="EvalTransform"/> with resize 232, crop 224, ImageNet statistics.</summary>
    public static EvalTransform OfficialEval { get; } = new();

    /// <summary>Per-channel normalisation.</summary>
    public ChannelNormalization Normalization { get; }

    /// <summary>Height of the output planes.</summary>
    public abstract int OutputHeight { get; }

    /// <summary>Width of the output planes.</summary>
    public abstract int OutputWidth { get; }

    /// <summary>Number of floats produced: <c>3 × OutputHeight × OutputWidth</c>.</summary>
    public int OutputLength => 3 * OutputHeight * OutputWidth;

    /// <summary>Transforms <paramref name="image"/> into a new CHW array.</summary>
    public float[] Apply(Image image)
    {
        var output = new float[OutputLength];
        Apply(image, output);
        return output;
    }

    /// <summary>Transforms <paramref name="image"/> into <paramref name="destination"/> (at least <see cref="OutputLength"/> floats), e.g. one slot of a batch buffer.</summary>
    public abstract void Apply(Image image, Span<float> destination);

    /// <summary>Throws unless <paramref name="destination"/> can hold the output.</summary>
    protected void CheckDestination(Span<float> destination)
    {
        if (destination.Length < OutputLength)
            throw new ArgumentException($"Destination holds {destination.Length} floats, {OutputLength} needed.", nameof(destination));
    }
}

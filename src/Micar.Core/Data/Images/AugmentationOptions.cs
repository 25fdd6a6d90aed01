namespace Micar.Data.Images;

/// <summary>
/// Ranges of the random perturbations of <see cref="TrainingAugmentation"/>. The official recipe uses no
/// augmentation in any split; these exist for experiments and are off unless a training configuration asks
/// for them. Horizontal flips are deliberately absent: they swap the patient's left and right.
/// </summary>
public sealed record AugmentationOptions
{
    /// <summary>No perturbation: the whole image (or, for a non-square one, its central square) resized.</summary>
    public static AugmentationOptions None { get; } = new()
    {
        MinCropArea = 1, MaxCropArea = 1, MinAspectRatio = 1, MaxAspectRatio = 1,
        MaxRotationDegrees = 0, Brightness = 0, Contrast = 0,
    };

    /// <summary>Smallest crop, as a fraction of the image area (default 0.8).</summary>
    public double MinCropArea { get; init; } = 0.8;

    /// <summary>Largest crop, as a fraction of the image area (default 1).</summary>
    public double MaxCropArea { get; init; } = 1.0;

    /// <summary>Smallest crop width/height ratio, drawn log-uniformly (default 3/4).</summary>
    public double MinAspectRatio { get; init; } = 3.0 / 4.0;

    /// <summary>Largest crop width/height ratio (default 4/3).</summary>
    public double MaxAspectRatio { get; init; } = 4.0 / 3.0;

    /// <summary>Rotation drawn uniformly from ±this many degrees, corners filled with black (default 5).</summary>
    public double MaxRotationDegrees { get; init; } = 5.0;

    /// <summary>Brightness factor drawn from [1 − b, 1 + b] (default 0.1).</summary>
    public double Brightness { get; init; } = 0.1;

    /// <summary>Contrast factor drawn from [1 − c, 1 + c] (default 0.1).</summary>
    public double Contrast { get; init; } = 0.1;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first property out of range.</summary>
    public void Validate()
    {
        Check(MinCropArea > 0 && MinCropArea <= MaxCropArea && MaxCropArea <= 1, nameof(MinCropArea), "0 < MinCropArea <= MaxCropArea <= 1");
        Check(MinAspectRatio > 0 && MinAspectRatio <= MaxAspectRatio && double.IsFinite(MaxAspectRatio), nameof(MinAspectRatio), "0 < MinAspectRatio <= MaxAspectRatio < infinity");
        Check(MaxRotationDegrees is >= 0 and < 180, nameof(MaxRotationDegrees), "0 <= MaxRotationDegrees < 180");
        Check(Brightness is >= 0 and < 1, nameof(Brightness), "0 <= Brightness < 1");
        Check(Contrast is >= 0 and < 1, nameof(Contrast), "0 <= Contrast < 1");
    }

    private static void Check(bool ok, string property, string rule)
    {
        if (!ok)
            throw new ArgumentException($"Invalid augmentation options: {property} violates {rule}.", property);
    }
}

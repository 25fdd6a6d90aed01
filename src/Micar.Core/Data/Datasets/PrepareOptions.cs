using Micar.Data.Images;
using Micar.Data.Loading;

namespace Micar.Data;

/// <summary>Settings of <see cref="Prepare.Run(string, string, string, PrepareOptions)"/>.</summary>
public sealed record PrepareOptions
{
    /// <summary>The defaults: fail on bad rows.</summary>
    public static PrepareOptions Default { get; } = new();

    /// <summary>
    /// Leave bad rows out (listed in <see cref="PrepareResult.Skipped"/>) instead of failing, and check every image
    /// as <see cref="ImageCheck"/> says, so that a present but corrupt, truncated or non-image file is left out too.
    /// Off by default: then an image is only required to exist inside the dataset root, and a bad row is a
    /// <see cref="PrepareException"/>.
    /// </summary>
    public bool SkipBad { get; init; }

    /// <summary>How thoroughly <see cref="SkipBad"/> checks the images (default: a full decode of each).</summary>
    public ImageCheck ImageCheck { get; init; } = ImageCheck.Decode;

    /// <summary>Threads used by the image check (default <see cref="Environment.ProcessorCount"/>).</summary>
    public int CheckThreads { get; init; } = Environment.ProcessorCount;

    /// <summary>Decoder limits and leniency used by the image check.</summary>
    public ImageDecodeOptions Decode { get; init; } = ImageDecodeOptions.Default;

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message names it.</exception>
    internal void Validate()
    {
        if (!Enum.IsDefined(ImageCheck))
            throw new ArgumentException($"Invalid prepare options: {nameof(ImageCheck)} = {ImageCheck} is not an {nameof(Loading.ImageCheck)}.", nameof(ImageCheck));
        if (CheckThreads < 1)
            throw new ArgumentException($"Invalid prepare options: {nameof(CheckThreads)} = {CheckThreads} must be at least 1.", nameof(CheckThreads));
        if (Decode is null)
            throw new ArgumentException($"Invalid prepare options: {nameof(Decode)} must not be null.", nameof(Decode));
    }
}

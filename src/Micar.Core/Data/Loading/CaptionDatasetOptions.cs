using Micar.Data.Images;

namespace Micar.Data.Loading;

/// <summary>Options of <see cref="CaptionDataset"/>.</summary>
public sealed record CaptionDatasetOptions
{
    /// <summary>The defaults: no checking, default decoder limits.</summary>
    public static CaptionDatasetOptions Default { get; } = new();

    /// <summary>
    /// <c>--skip-bad</c>: check every image at construction (as <see cref="Check"/> says) and drop the rows whose
    /// image is missing or undecodable, listing them in <see cref="CaptionDataset.Skipped"/>. Off by default:
    /// then nothing is checked up front and a bad file raises <see cref="ImageDecodeException"/>, naming the
    /// file, when its batch is produced.
    /// </summary>
    public bool SkipBad { get; init; }

    /// <summary>
    /// How thoroughly <see cref="SkipBad"/> checks (default: a full decode, which reads every image once at
    /// construction — about the decoding work of one epoch, spread over <see cref="CheckThreads"/>).
    /// </summary>
    public ImageCheck Check { get; init; } = ImageCheck.Decode;

    /// <summary>Threads used by the check (default <see cref="Environment.ProcessorCount"/>).</summary>
    public int CheckThreads { get; init; } = Environment.ProcessorCount;

    /// <summary>Decoder limits and leniency, used by the check and by loading.</summary>
    public ImageDecodeOptions Decode { get; init; } = ImageDecodeOptions.Default;

    /// <summary>Working memory (decoder buffers, RGB copy, resize rows; read from each header) of the images the loader's
    /// workers decode at once; an image larger than the whole budget is decoded alone. Default 2 GiB.</summary>
    public long DecodeMemoryBudget { get; init; } = DecodeBudget.DefaultBytes;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid property.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Check))
            throw new ArgumentException($"Invalid dataset options: {nameof(Check)} = {Check} is not an {nameof(ImageCheck)}.", nameof(Check));
        if (CheckThreads < 1)
            throw new ArgumentException($"Invalid dataset options: {nameof(CheckThreads)} = {CheckThreads} must be at least 1.", nameof(CheckThreads));
        if (DecodeMemoryBudget < 1)
            throw new ArgumentException($"Invalid dataset options: {nameof(DecodeMemoryBudget)} = {DecodeMemoryBudget} must be at least 1.", nameof(DecodeMemoryBudget));
        if (Decode is null)
            throw new ArgumentException($"Invalid dataset options: {nameof(Decode)} must not be null.", nameof(Decode));
    }
}

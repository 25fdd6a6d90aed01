namespace Micar.Data.Loading;

/// <summary>One loaded row of a <see cref="CaptionDataset"/>, computed on its own (no batching, no threads).</summary>
/// <param name="Image">The transformed image, CHW floats (<c>3 × H × W</c>).</param>
/// <param name="Text">The tokenized report (input ids, pad mask, labels, each of length T).</param>
public sealed record CaptionSample(float[] Image, EncodedReport Text);

namespace Micar.Data;

/// <summary>A batch of encoded reports as flat row-major arrays of shape <c>[BatchSize, Length]</c>, ready to be
/// copied into int64 tensors.</summary>
/// <param name="InputIds">Input ids, <c>BatchSize · Length</c> values.</param>
/// <param name="PadMask">Padding mask (1 = token, 0 = pad), same shape.</param>
/// <param name="LabelIds">Label ids, same shape.</param>
/// <param name="BatchSize">Number of reports b.</param>
/// <param name="Length">Text length T.</param>
public sealed record EncodedBatch(long[] InputIds, long[] PadMask, long[] LabelIds, int BatchSize, int Length);

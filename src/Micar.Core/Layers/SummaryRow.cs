namespace Micar.Layers;

/// <summary>One block of a <see cref="ModelSummary"/>.</summary>
/// <param name="Path">State-dict prefix (empty for the whole model).</param>
/// <param name="Depth">Nesting depth (0 = the model).</param>
/// <param name="Kind">Block kind.</param>
/// <param name="OutputShape">Output shape of the block's last call; null for containers that are never called.</param>
/// <param name="Parameters">Parameter elements below the block (trainable and frozen, no buffers).</param>
/// <param name="Flops">Forward FLOPs of the block including its children.</param>
public sealed record SummaryRow(string Path, int Depth, string Kind, Shape? OutputShape, long Parameters, long Flops);

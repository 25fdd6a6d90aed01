namespace Micar.Layers;

/// <summary>Totals of a <see cref="ModelSummary"/>.</summary>
/// <param name="Parameters">Parameter elements as PyTorch counts them (trainable + frozen).</param>
/// <param name="Trainable">Trainable parameter elements.</param>
/// <param name="Frozen">Frozen parameter elements (RoPE frequencies).</param>
/// <param name="BufferElements">Buffer elements (BatchNorm statistics, position table).</param>
/// <param name="Keys">Number of state-dict keys.</param>
/// <param name="Flops">Forward FLOPs.</param>
public sealed record SummaryTotals(long Parameters, long Trainable, long Frozen, long BufferElements, int Keys, long Flops);

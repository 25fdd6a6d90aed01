using System.Globalization;
using Micar.Layers;
using Micar.Spec;
using Micar.Torch;

namespace Micar.Training;

/// <summary>
/// What a training run of a spec needs in memory at least, from its description alone (nothing is allocated):
/// the parameters and buffers, AdamW's amsgrad state (three tensors per trainable parameter), and the larger of the
/// gradients (one per trainable parameter) and the block outputs of one batch that autograd keeps for the backward pass
/// (gradients are released before the forward pass and grow while the kept outputs are freed). It is a lower bound of
/// the peak (libtorch's workspaces, the data loader and the runtime come on top), so a run it refuses cannot fit (the
/// README's "Limits and safety" compares estimates with measured peaks).
/// </summary>
/// <param name="Batch">The batch size the activations are counted for.</param>
/// <param name="ParameterBytes">Parameters and buffers.</param>
/// <param name="GradientBytes">One gradient per trainable parameter.</param>
/// <param name="OptimizerBytes">AdamW amsgrad: exp_avg, exp_avg_sq and max_exp_avg_sq per trainable parameter.</param>
/// <param name="ActivationBytes">The outputs of every leaf block for one batch (float32).</param>
public sealed record TrainingMemory(int Batch, long ParameterBytes, long GradientBytes, long OptimizerBytes, long ActivationBytes)
{
    /// <summary>Parameters + optimizer state + the larger of gradients and activations.</summary>
    public long TotalBytes => Saturating(ParameterBytes, OptimizerBytes, Math.Max(GradientBytes, ActivationBytes));

    /// <summary>Estimates the memory of training <paramref name="spec"/> at <paramref name="batch"/> images per step;
    /// with <paramref name="freezeVision"/> the vision encoder (<c>vis_enc.*</c>) has no gradient or optimizer state.</summary>
    /// <exception cref="SpecValidationException">The spec is invalid.</exception>
    public static TrainingMemory Estimate(ModelSpec spec, int batch, bool freezeVision = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        var summary = spec.Describe(batch);
        long paramBytes = 0, trainableBytes = 0;
        foreach (var p in spec.Compile().Parameters())
        {
            long bytes = Times(p.Numel, p.DType.ElementSize());
            paramBytes = Saturating(paramBytes, bytes);
            if (p.Kind == ParamKind.Param && !(freezeVision && p.Name.StartsWith("vis_enc.", StringComparison.Ordinal)))
                trainableBytes = Saturating(trainableBytes, bytes);
        }
        long activations = 0;
        var rows = summary.Rows;
        for (int i = 0; i < rows.Count; i++)
        {
            bool leaf = i == rows.Count - 1 || rows[i + 1].Depth <= rows[i].Depth;
            if (leaf && rows[i].OutputShape is { } shape) activations = Saturating(activations, Times(shape.Numel, sizeof(float)));
        }
        return new TrainingMemory(batch, paramBytes, trainableBytes, Times(trainableBytes, 3), activations);
    }

    /// <summary>Throws <see cref="MemoryBudgetException"/> when <see cref="TotalBytes"/> exceeds
    /// <paramref name="availableBytes"/> (e.g. <see cref="AvailableMemory.Bytes"/>); <paramref name="what"/> names the run.</summary>
    public void EnsureFits(long availableBytes, string what)
    {
        if (TotalBytes <= availableBytes) return;
        throw new MemoryBudgetException(
            $"{what} needs at least {Gib(TotalBytes)} of memory ({Describe()}) but {Gib(availableBytes)} is available; " +
            "use a smaller spec or batch, or --force to try anyway");
    }

    /// <summary>The parts as text: <c>parameters 1.2 GiB, gradients …, AdamW state …, activations of a batch of 16 …</c>.</summary>
    public string Describe() =>
        $"parameters {Gib(ParameterBytes)}, gradients {Gib(GradientBytes)}, AdamW state {Gib(OptimizerBytes)}, " +
        $"activations of a batch of {Batch} {Gib(ActivationBytes)}";

    internal static string Gib(long bytes) => bytes >= 1L << 30
        ? (bytes / (double)(1L << 30)).ToString("#,0.0", CultureInfo.InvariantCulture) + " GiB"
        : (bytes / (double)(1L << 20)).ToString("#,0.0", CultureInfo.InvariantCulture) + " MiB";

    static long Times(long a, long b) => a > long.MaxValue / b ? long.MaxValue : a * b;

    static long Saturating(params long[] parts)
    {
        long sum = 0;
        foreach (var p in parts) sum = p > long.MaxValue - sum ? long.MaxValue : sum + p;
        return sum;
    }
}

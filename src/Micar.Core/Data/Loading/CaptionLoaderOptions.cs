namespace Micar.Data.Loading;

/// <summary>Options of <see cref="CaptionLoader"/>.</summary>
public sealed record CaptionLoaderOptions
{
    /// <summary>Rows per batch (default 16).</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>
    /// Visit the rows in a different seeded order every epoch (<see cref="LoaderSeed.Permutation"/>); otherwise in
    /// dataset order. The official recipe shuffles the training split only.
    /// </summary>
    public bool Shuffle { get; init; }

    /// <summary>The seed of the shuffles and of per-row augmentation (<see cref="LoaderSeed"/>).</summary>
    public int Seed { get; init; }

    /// <summary>What happens to a partial last batch (default <see cref="LastBatchPolicy.Keep"/>, as officially).</summary>
    public LastBatchPolicy LastBatch { get; init; } = LastBatchPolicy.Keep;

    /// <summary>
    /// Background threads decoding and transforming images (default <see cref="Environment.ProcessorCount"/>).
    /// 0 loads every batch on the consuming thread when it is requested.
    /// </summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Batches that may be in preparation or ready ahead of the consumer (default 4, at least 1). Memory grows
    /// with it: one batch holds <c>b × 3 × H × W</c> floats.
    /// </summary>
    public int Prefetch { get; init; } = 4;

    /// <summary>Data-parallel training: this process's rank among <see cref="ShardCount"/>; it visits only its shard of
    /// every epoch's order (<see cref="LoaderSeed.Shard"/>, as PyTorch's <c>DistributedSampler</c>). Default 0 of 1.</summary>
    public int ShardRank { get; init; }

    /// <summary>Number of processes sharing the dataset (default 1: the whole order).</summary>
    public int ShardCount { get; init; } = 1;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid property.</summary>
    public void Validate()
    {
        Check(BatchSize >= 1, nameof(BatchSize), $"{BatchSize} must be at least 1");
        Check(Enum.IsDefined(LastBatch), nameof(LastBatch), $"{LastBatch} is not a {nameof(LastBatchPolicy)}");
        Check(Workers >= 0, nameof(Workers), $"{Workers} must not be negative");
        Check(Prefetch >= 1, nameof(Prefetch), $"{Prefetch} must be at least 1");
        Check(ShardCount >= 1, nameof(ShardCount), $"{ShardCount} must be at least 1");
        Check(ShardRank >= 0 && ShardRank < ShardCount, nameof(ShardRank), $"{ShardRank} must lie in 0..{ShardCount - 1}");
    }

    private static void Check(bool ok, string property, string problem)
    {
        if (!ok)
            throw new ArgumentException($"Invalid loader options: {property} = {problem}.", property);
    }
}

namespace Micar.Metrics;

/// <summary>Settings of the jury-flavour metrics.</summary>
public sealed record JuryOptions
{
    /// <summary>The numpy seed S of the published runs (<c>--seed 115111211</c> in every run script).</summary>
    public const uint OfficialSeed = 115111211;

    /// <summary>The seed numpy's legacy generator had when jury computed ROUGE (default <see cref="OfficialSeed"/>).</summary>
    public uint Seed { get; init; } = OfficialSeed;

    /// <summary>Bootstrap resamples of rouge_score's aggregator (jury: 1000).</summary>
    public int BootstrapSamples { get; init; } = 1000;

    /// <summary>The WordNet to use; when null, <see cref="WordNetDatabase.Resolve"/> of <see cref="WordNetDirectory"/>.</summary>
    public WordNetDatabase? WordNet { get; init; }

    /// <summary>A directory of WordNet 3.0 files; when null, <c>MICAR_WORDNET_DIR</c> or else the embedded copy.</summary>
    public string? WordNetDirectory { get; init; }

    /// <summary>Defaults: the official seed, 1000 resamples, WordNet from the environment or embedded.</summary>
    public static JuryOptions Default { get; } = new();
}

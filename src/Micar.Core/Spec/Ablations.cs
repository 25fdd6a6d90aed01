using Micar.Layers;

namespace Micar.Spec;

/// <summary>
/// The ablations of the paper's Table III as spec edits. Each returns a copy of the spec with exactly the
/// relevant fields changed and <c>-no-…</c> appended to its name.
/// </summary>
public static class Ablations
{
    /// <summary>"w/o balance loss": <c>moe.balanceLossWeight = 0</c> (the router then gets no training signal under the official sum combine).</summary>
    public static ModelSpec WithoutBalanceLoss(ModelSpec spec) =>
        spec with { Name = spec.Name + "-no-balance-loss", Moe = spec.Moe with { BalanceLossWeight = 0 } };

    /// <summary>"w/o MoE": <c>moe.enabled = false</c>, each decoder block gets one dense gated FFN (keys <c>norm_ff</c>, <c>ff</c>).</summary>
    public static ModelSpec WithoutMoe(ModelSpec spec) =>
        spec with { Name = spec.Name + "-no-moe", Moe = spec.Moe with { Enabled = false } };

    /// <summary>"w/o latent encoder": <c>latentEncoder = false</c>, the projected image tokens go straight to the decoder (<c>encoderLayers</c> is then ignored).</summary>
    public static ModelSpec WithoutLatentEncoder(ModelSpec spec) =>
        spec with { Name = spec.Name + "-no-latent-encoder", LatentEncoder = false };

    /// <summary>"w/o MSVE": <c>vision.useMsve = false</c>, the last ResNet stage pooled to the grid; <c>vision.dV</c> becomes the trunk's output channels.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><c>vision.depth</c> is not a ResNet depth.</exception>
    public static ModelSpec WithoutMsve(ModelSpec spec) =>
        spec with
        {
            Name = spec.Name + "-no-msve",
            Vision = spec.Vision with { UseMsve = false, DV = ResNet.OutputChannelsOf(spec.Vision.Depth) },
        };

    /// <summary>The ablations by the name suffix that presets use: <c>no-balance-loss</c>, <c>no-moe</c>, <c>no-latent-encoder</c>, <c>no-msve</c>.</summary>
    public static IReadOnlyDictionary<string, Func<ModelSpec, ModelSpec>> BySuffix { get; } =
        new Dictionary<string, Func<ModelSpec, ModelSpec>>(StringComparer.Ordinal)
        {
            ["no-balance-loss"] = WithoutBalanceLoss,
            ["no-moe"] = WithoutMoe,
            ["no-latent-encoder"] = WithoutLatentEncoder,
            ["no-msve"] = WithoutMsve,
        };
}

namespace Micar.Layers;

/// <summary>
/// A problem found by validating a layer description or a spec. <see cref="Path"/> locates the offending
/// layer (state-dict prefix, e.g. <c>decoder.layers.0.self_attention</c>) or spec field (e.g. <c>moe.topK</c>);
/// <see cref="Message"/> names the field and the values, e.g. <c>Mdla.LatentDim 770 is not divisible by Heads 8</c>.
/// </summary>
public sealed record ValidationError(string Path, string Message)
{
    /// <summary><c>path: message</c>, or the message alone at the root.</summary>
    public override string ToString() => Path.Length == 0 ? Message : $"{Path}: {Message}";
}

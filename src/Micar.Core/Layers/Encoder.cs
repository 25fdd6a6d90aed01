namespace Micar.Layers;

/// <summary>
/// The latent encoder over the image tokens (§4.10): blocks in sequence, no mask, no final norm,
/// <c>[b, N, d] → [b, N, d]</c>. Child <c>layers</c> (a <see cref="Sequential"/> of <see cref="EncoderBlock"/>s).
/// </summary>
/// <param name="Blocks">The blocks, first to last.</param>
public sealed record Encoder(ValueList<EncoderBlock> Blocks) : ILayer
{
    /// <inheritdoc/>
    public string Kind => "Encoder";

    /// <summary>The blocks as the <c>layers</c> child.</summary>
    public Sequential Layers => new(Blocks.Cast<ILayer>());

    /// <inheritdoc/>
    public IReadOnlyList<ParamInfo> Tensors => [];

    /// <inheritdoc/>
    public IReadOnlyList<NamedLayer> Children => [new("layers", Layers)];

    /// <inheritdoc/>
    public IEnumerable<string> CheckFields()
    {
        if (Blocks.Count == 0) yield return "Encoder.Blocks must not be empty";
        else if (Blocks.Any(b => b.DModel != Blocks[0].DModel))
            yield return "Encoder.Blocks do not all have the same DModel";
    }

    /// <inheritdoc/>
    public Shape Trace(ShapeTracer tracer, IReadOnlyList<Shape> inputs)
    {
        tracer.ExpectInputs(inputs, 1);
        return tracer.Call("layers", Layers, inputs);
    }
}

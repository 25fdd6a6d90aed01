namespace Micar.Layers;

/// <summary>
/// The decoder (§4.10): blocks in sequence on <c>x [b, T, d]</c>, each also given the encoder output
/// <c>E [b, N, d]</c> and the causal/pad mask <c>[b, T, T]</c>; no final norm. The balance value is the mean of
/// the blocks' MoE balance values. Child <c>layers</c> (a <see cref="Sequential"/> of <see cref="DecoderBlock"/>s).
/// </summary>
/// <param name="Blocks">The blocks, first to last.</param>
public sealed record Decoder(ValueList<DecoderBlock> Blocks) : ILayer
{
    /// <inheritdoc/>
    public string Kind => "Decoder";

    /// <summary>The blocks as the <c>layers</c> child.</summary>
    public Sequential Layers => new(Blocks.Cast<ILayer>());

    /// <inheritdoc/>
    public IReadOnlyList<ParamInfo> Tensors => [];

    /// <inheritdoc/>
    public IReadOnlyList<NamedLayer> Children => [new("layers", Layers)];

    /// <inheritdoc/>
    public IEnumerable<string> CheckFields()
    {
        if (Blocks.Count == 0) yield return "Decoder.Blocks must not be empty";
        else if (Blocks.Any(b => b.DModel != Blocks[0].DModel))
            yield return "Decoder.Blocks do not all have the same DModel";
    }

    /// <inheritdoc/>
    public Shape Trace(ShapeTracer tracer, IReadOnlyList<Shape> inputs)
    {
        tracer.ExpectInputs(inputs, 2, 3);
        return tracer.Call("layers", Layers, inputs);
    }
}

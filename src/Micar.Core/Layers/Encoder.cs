using Micar.Torch;
using Micar.Nn;
namespace Micar.Layers;

/// <summary>
/// The latent encoder over the image tokens (§4.10): blocks in sequence, no mask, no final norm,
/// <c>[b, N, d] → [b, N, d]</c>. Child <c>layers</c> (a <see cref="Sequential"/> of <see cref="EncoderBlock"/>s).
/// </summary>
/// <param name="Blocks">The blocks, first to last.</param>
public sealed record Encoder(ValueList<EncoderBlock> Blocks) : IModule
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

    /// <summary>The blocks in order, block i under <c>layers.i</c>: [b, N, d] → [b, N, d].</summary>
    public Tensor Apply(ParamView p, Tensor x, ForwardContext ctx)
    {
        using var scope = Libtorch.NewScope();
        var y = x;
        for (int i = 0; i < Blocks.Count; i++)
            y = Blocks[i].Apply(p.At($"layers.{i}"), y, ctx);
        return ReferenceEquals(y, x) ? x.Alias() : y.MoveToOuterScope();
    }
}

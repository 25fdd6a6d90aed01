using Micar.Torch;
using Micar.Nn;
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

    /// <summary>Decodes embedded text <paramref name="x"/> [b, T, d] against image tokens <paramref name="memory"/>
    /// [b, N, d]: causal mask (with the optional pad mask [b, T]), the blocks in order (block i under <c>layers.i</c>).
    /// Returns the hidden states [b, T, d] and the mean balance value over the MoE blocks (a zero scalar without any).
    /// With a <paramref name="cache"/>, <paramref name="x"/> holds only the next positions; earlier ones come from the
    /// cache, which is extended. The first call with a cache stores what the blocks need of the image; later calls read
    /// that and not <paramref name="memory"/>.</summary>
    public (Tensor Hidden, Tensor BalanceLoss) Apply(ParamView p, Tensor x, Tensor? memory, Tensor? padMask, ForwardContext ctx,
        DecoderCache? cache = null)
    {
        using var scope = Libtorch.NewScope();
        long b = x.Size(0), t = x.Size(1);
        long offset = cache?.Length ?? 0;
        Tensor? mask = null;
        if (cache is null) mask = Masks.Causal(b, t, padMask, x.Device);
        else if (t > 1 || padMask is not null)
        {
            // New queries at offset…offset+t−1 see every key up to their own position.
            var m = Libtorch.Ones([t, offset + t], DType.Int64, x.Device).Tril(offset).Unsqueeze(0).Expand(b, -1, -1);
            mask = padMask is null ? m : m.Mul(padMask.Ne(0).Long().Unsqueeze(1));
        }
        Tensor lbSum = Libtorch.Zeros([], DType.Float32, x.Device);
        int moeLayers = 0;
        var h = x;
        for (int i = 0; i < Blocks.Count; i++)
        {
            var (y, lb) = Blocks[i].Apply(p.At($"layers.{i}"), h, memory, mask, ctx, cache?.Blocks[i], offset);
            h = y;
            if (lb is null) continue;
            lbSum = lbSum.Add(lb);
            moeLayers++;
        }
        var balance = moeLayers == 0 ? lbSum : lbSum.Div(moeLayers);
        return (ReferenceEquals(h, x) ? x.Alias() : h.MoveToOuterScope(), balance.MoveToOuterScope());
    }

    /// <summary>An empty cache for incremental decoding with this decoder.</summary>
    public DecoderCache NewCache() => new(Blocks.Count);
}

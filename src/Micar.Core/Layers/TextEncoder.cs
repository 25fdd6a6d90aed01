using Micar.Nn;
using Micar.Torch;

namespace Micar.Layers;

/// <summary>How a <see cref="TextEncoder"/> turns its token states into one report vector.</summary>
public enum TextPooling
{
    /// <summary>Mean over the non-pad positions.</summary>
    Mean,
    /// <summary>The state at position 0 (the tokenizer's BOS, used as a CLS token).</summary>
    Cls,
}

/// <summary>
/// A small bidirectional transformer over the tokenizer's ids (MedMoE's report encoder): ids <c>[b, T]</c> (pad = 0)
/// → report vector <c>[b, DModel]</c>. <c>embedding</c> (<see cref="TextEmbedding"/>: table·√d + sinusoidal positions,
/// dropout), <c>encoder</c> (<see cref="Encoder"/> of pre-norm MDLA blocks, pad keys masked), <c>norm</c> (RMSNorm), then
/// <see cref="Pooling"/>. <see cref="Encode"/> also returns the per-token states (for word-level alignment).
/// </summary>
/// <param name="Embedding">The token + position embedding.</param>
/// <param name="Blocks">The transformer blocks (an <see cref="Encoder"/>).</param>
/// <param name="Norm">The final norm.</param>
/// <param name="Pooling">Mean over non-pad tokens, or the first token.</param>
public sealed record TextEncoder(TextEmbedding Embedding, Encoder Blocks, RmsNorm Norm, TextPooling Pooling = TextPooling.Mean) : IModule
{
    /// <summary>The encoder of <paramref name="layers"/> MDLA blocks of width <paramref name="dModel"/>.</summary>
    public static TextEncoder Create(int vocab, int maxLength, int dModel, int heads, int latent, int nope, int rope, int dFf,
        int layers, Activation activation, double dropout, TextPooling pooling, WeightInit init = WeightInit.XavierUniform) =>
        new(new TextEmbedding(vocab, dModel, maxLength, dropout, init),
            new Encoder(ValueList.From(Enumerable.Range(0, layers).Select(_ => EncoderBlock.Create(
                new MdlaSelfAttention(dModel, heads, latent, nope, rope, dropout, AttentionScale.PerHead, init),
                new GatedFfn(dModel, dFf, activation, dropout, init))))),
            new RmsNorm(dModel), pooling);

    /// <inheritdoc/>
    public string Kind => "TextEncoder";

    /// <summary>Width of the token states and of the report vector.</summary>
    public int DModel => Embedding.DModel;

    /// <inheritdoc/>
    public IReadOnlyList<ParamInfo> Tensors => [];

    /// <inheritdoc/>
    public IReadOnlyList<NamedLayer> Children => [new("embedding", Embedding), new("encoder", Blocks), new("norm", Norm)];

    /// <inheritdoc/>
    public IEnumerable<string> CheckFields()
    {
        if (!Enum.IsDefined(Pooling)) yield return $"TextEncoder.Pooling {(int)Pooling} is not a known pooling";
        if (Blocks.Blocks.Count > 0 && Blocks.Blocks[0].DModel != DModel)
            yield return $"TextEncoder.Blocks width {Blocks.Blocks[0].DModel} does not match Embedding.DModel {DModel}";
        if (Norm.Dim != DModel) yield return $"TextEncoder.Norm.Dim {Norm.Dim} does not match Embedding.DModel {DModel}";
    }

    /// <inheritdoc/>
    public Shape Trace(ShapeTracer tracer, IReadOnlyList<Shape> inputs)
    {
        tracer.ExpectInputs(inputs, 1);
        var ids = inputs[0];                                                   // [b, T]
        tracer.ExpectRank(ids, 2, "ids");
        if (ids[1] > Embedding.MaxLength) throw tracer.Error($"ids {ids} are longer than MaxLength {Embedding.MaxLength}");
        var x = tracer.Call("embedding", Embedding, ids);                      // [b, T, d]
        x = tracer.Call("encoder", Blocks, x);
        x = tracer.Call("norm", Norm, x);
        return new Shape(ids[0], DModel);                                      // [b, d]
    }

    /// <summary>The pooled report vector [b, DModel] of <paramref name="ids"/> [b, T].</summary>
    public Tensor Apply(ParamView p, Tensor ids, ForwardContext ctx)
    {
        var (tokens, pooled) = Encode(p, ids, ctx);
        tokens.Dispose();
        return pooled;
    }

    /// <summary>Token states [b, T, DModel] (pad rows included; mask them with <c>ids != 0</c>) and the pooled vector
    /// [b, DModel]. Pad keys are masked in every attention; a row of only pads pools to zeros.</summary>
    public (Tensor Tokens, Tensor Pooled) Encode(ParamView p, Tensor ids, ForwardContext ctx)
    {
        using var scope = Libtorch.NewScope();
        long b = ids.Size(0), t = ids.Size(1);
        var keep = ids.Ne(Data.SpecialTokens.PadId).Long();                   // [b, T]
        var mask = keep.Unsqueeze(1).Expand(b, t, t).Contiguous();            // [b, T, T]: key j visible iff not pad
        var x = Embedding.Apply(p.At("embedding"), ids, ctx);
        for (int i = 0; i < Blocks.Blocks.Count; i++)
        {
            var block = Blocks.Blocks[i];
            var bp = p.At($"encoder.layers.{i}");
            var h = x.Add(block.SelfAttention.Apply(bp.At("self_attention"), block.NormSa.Apply(bp.At("norm_sa"), x, ctx), mask, ctx));
            x = h.Add(block.Ff.Apply(bp.At("ff"), block.NormFf.Apply(bp.At("norm_ff"), h, ctx), ctx));
        }
        var tokens = Norm.Apply(p.At("norm"), x, ctx);                        // [b, T, d]
        Tensor pooled;
        if (Pooling == TextPooling.Cls) pooled = tokens.Select(1, 0);
        else
        {
            var w = keep.To(tokens.DType).Unsqueeze(-1);                      // [b, T, 1]
            pooled = tokens.Mul(w).Sum(1).Div(w.Sum(1).Clamp(1.0, null));     // [b, d]
        }
        return (tokens.MoveToOuterScope(), pooled.MoveToOuterScope());
    }
}

using Micar.Torch;
using Micar.Nn;
namespace Micar.Layers;

/// <summary>
/// Text embedding (§4.4): <c>Dropout(Embedding(ids)·√DModel + pe[:, :T])</c>, ids <c>[b, T]</c> → <c>[b, T, DModel]</c>.
/// Children <c>embedding</c> (<see cref="Layers.Embedding"/>) and <c>pe</c> (<see cref="SinusoidalPositions"/>).
/// </summary>
/// <param name="VocabSize">Number of token ids.</param>
/// <param name="DModel">Embedding width.</param>
/// <param name="MaxLength">Longest sequence (rows of the position table).</param>
/// <param name="Dropout">Dropout after the position addition.</param>
/// <param name="Init">Initializer of the table.</param>
public sealed record TextEmbedding(int VocabSize, int DModel, int MaxLength, double Dropout, WeightInit Init = WeightInit.TorchDefault) : IModule
{
    /// <inheritdoc/>
    public string Kind => "TextEmbedding";

    /// <summary>The factor √DModel (a double; the product is formed in float32).</summary>
    public double Scale => Math.Sqrt(DModel);

    /// <summary>The token table.</summary>
    public Embedding Embedding => new(VocabSize, DModel, Init);

    /// <summary>The position table.</summary>
    public SinusoidalPositions Positions => new(MaxLength, DModel);

    /// <inheritdoc/>
    public IReadOnlyList<ParamInfo> Tensors => [];

    /// <inheritdoc/>
    public IReadOnlyList<NamedLayer> Children => [new("embedding", Embedding), new("pe", Positions)];

    /// <inheritdoc/>
    public IEnumerable<string> CheckFields()
    {
        if (!(Dropout is >= 0 and < 1)) yield return $"TextEmbedding.Dropout {Dropout} must lie in [0, 1)";
    }

    /// <inheritdoc/>
    public Shape Trace(ShapeTracer tracer, IReadOnlyList<Shape> inputs)
    {
        tracer.ExpectInputs(inputs, 1);
        tracer.ExpectRank(inputs[0], 2, "ids");
        var x = tracer.Call("embedding", Embedding, inputs[0]);
        return tracer.Call("pe", Positions, x);
    }

    /// <summary>Embeds <paramref name="ids"/> [b, T] at positions 0…T−1 → [b, T, DModel].</summary>
    public Tensor Apply(ParamView p, Tensor ids, ForwardContext ctx) => Apply(p, ids, ctx, 0);

    /// <summary>Embeds <paramref name="ids"/> [b, T] at positions <paramref name="offset"/>…offset+T−1 → [b, T, DModel]:
    /// <c>embedding(ids)·√DModel + pe</c>, then dropout.</summary>
    public Tensor Apply(ParamView p, Tensor ids, ForwardContext ctx, long offset)
    {
        using var scope = Libtorch.NewScope();
        var table = p["embedding.weight"];
        var pe = p["pe.pe"];                                                  // [1, maxLen, d]
        long t = ids.Size(1);
        long maxLen = pe.Size(1);
        if (offset + t > maxLen)
            throw new ArgumentException($"text length {offset + t} exceeds text_seq_len {maxLen} (the pe table has {maxLen} rows)");
        var x = F.Embedding(ids, table).Mul(Math.Sqrt(DModel)).Add(pe.Narrow(1, offset, t));
        return ctx.Dropout(x, Dropout).MoveToOuterScope();
    }
}

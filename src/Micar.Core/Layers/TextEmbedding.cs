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
public sealed record TextEmbedding(int VocabSize, int DModel, int MaxLength, double Dropout, WeightInit Init = WeightInit.TorchDefault) : ILayer
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
}

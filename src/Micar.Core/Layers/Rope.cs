namespace Micar.Layers;

/// <summary>
/// Rotary position embedding as the official attention uses it (§4.6, rotary-embedding-torch defaults):
/// a <c>RotaryEmbedding(dim = QkRopeDim / 2)</c>. Only the first <see cref="RotatedWidth"/> features of the
/// rope part are rotated, in interleaved pairs, at positions 0 … S−1 along axis −2; the rest pass through.
/// Tensor: the frozen parameter <c>freqs [FrequencyCount]</c>, <c>f_j = Theta^(−2j/RotaryDim)</c>.
/// Input <c>[..., S, QkRopeDim]</c>, shape-preserving.
/// </summary>
/// <param name="QkRopeDim">Width of the rope part of each head.</param>
/// <param name="Theta">Base of the frequencies.</param>
public sealed record Rope(int QkRopeDim, double Theta = 10000) : ILayer
{
    /// <inheritdoc/>
    public string Kind => "Rope";

    /// <summary>The <c>dim</c> of the RotaryEmbedding: QkRopeDim / 2 (integer division).</summary>
    public int RotaryDim => QkRopeDim / 2;

    /// <summary>Number of frequencies: ⌊RotaryDim / 2⌋.</summary>
    public int FrequencyCount => RotaryDim / 2;

    /// <summary>Number of rope features actually rotated: 2·FrequencyCount.</summary>
    public int RotatedWidth => 2 * FrequencyCount;

    /// <inheritdoc/>
    public IReadOnlyList<ParamInfo> Tensors =>
    [
        new("freqs", new Shape(FrequencyCount), Micar.Torch.DType.Float32, ParamKind.FrozenParam,
            new Initializer.RopeFrequencies(RotaryDim, Theta)),
    ];

    /// <inheritdoc/>
    public IReadOnlyList<NamedLayer> Children => [];

    /// <inheritdoc/>
    public IEnumerable<string> CheckFields()
    {
        if (QkRopeDim < 0) yield return $"Rope.QkRopeDim {QkRopeDim} must not be negative";
        if (!(Theta > 1)) yield return $"Rope.Theta {Theta} must exceed 1";
    }

    /// <inheritdoc/>
    public Shape Trace(ShapeTracer tracer, IReadOnlyList<Shape> inputs)
    {
        tracer.ExpectInputs(inputs, 1);
        tracer.ExpectMinRank(inputs[0], 2, "input");
        tracer.ExpectDim(inputs[0], -1, QkRopeDim, "input");
        return inputs[0];
    }
}

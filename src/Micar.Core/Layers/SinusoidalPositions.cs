namespace Micar.Layers;

/// <summary>
/// Adds the fixed sinusoidal table to <c>[b, T, Dim]</c> (T ≤ <paramref name="MaxLength"/>): a persistent buffer
/// <c>pe [1, MaxLength, Dim]</c>, saved in the state dict (so a checkpoint pins MaxLength). Shape-preserving.
/// </summary>
/// <param name="MaxLength">Rows of the table (the text sequence length of the spec).</param>
/// <param name="Dim">Width (d_model).</param>
public sealed record SinusoidalPositions(int MaxLength, int Dim) : ILayer
{
    /// <inheritdoc/>
    public string Kind => "SinusoidalPositions";

    /// <inheritdoc/>
    public IReadOnlyList<ParamInfo> Tensors =>
        [ParamInfo.Buffer("pe", new Shape(1, MaxLength, Dim), new Initializer.Sinusoidal(MaxLength, Dim))];

    /// <inheritdoc/>
    public IReadOnlyList<NamedLayer> Children => [];

    /// <inheritdoc/>
    public IEnumerable<string> CheckFields()
    {
        if (MaxLength <= 0) yield return $"SinusoidalPositions.MaxLength {MaxLength} must be positive";
        if (Dim <= 0 || Dim % 2 != 0) yield return $"SinusoidalPositions.Dim {Dim} must be positive and even";
    }

    /// <inheritdoc/>
    public Shape Trace(ShapeTracer tracer, IReadOnlyList<Shape> inputs)
    {
        tracer.ExpectInputs(inputs, 1);
        var x = inputs[0];
        tracer.ExpectRank(x, 3, "input");
        tracer.ExpectDim(x, 2, Dim, "input");
        if (x[1] > MaxLength) throw tracer.Error($"input length {x[1]} exceeds MaxLength {MaxLength}");
        return x;
    }
}

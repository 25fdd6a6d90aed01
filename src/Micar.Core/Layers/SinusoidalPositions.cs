using Micar.Torch;
using Micar.Nn;
namespace Micar.Layers;

/// <summary>
/// Adds the fixed sinusoidal table to <c>[b, T, Dim]</c> (T ≤ <paramref name="MaxLength"/>): a persistent buffer
/// <c>pe [1, MaxLength, Dim]</c>, saved in the state dict (so a checkpoint pins MaxLength). Shape-preserving.
/// </summary>
/// <param name="MaxLength">Rows of the table (the text sequence length of the spec).</param>
/// <param name="Dim">Width (d_model).</param>
public sealed record SinusoidalPositions(int MaxLength, int Dim) : IModule
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

    /// <summary>Adds the table's rows 0…T−1 to <paramref name="x"/> [b, T, Dim].</summary>
    public Tensor Apply(ParamView p, Tensor x, ForwardContext ctx)
    {
        using var rows = p["pe"].Narrow(1, 0, x.Size(1));
        return x.Add(rows);
    }

    /// <summary>The official sinusoidal table [1, length, dim] (sin on even, cos on odd columns), in float32.</summary>
    public static Tensor Table(int length, int dim)
    {
        using var scope = Libtorch.NewScope();
        var position = Libtorch.Arange(0, length, dtype: DType.Float32).Unsqueeze(1);               // [len, 1]
        var i2 = Libtorch.Arange(0, dim, 2, DType.Float32);                                          // [d/2]
        var div = i2.Mul((float)(-Math.Log(10000.0) / dim)).Exp();                                   // [d/2]
        var angles = position.Mul(div);                                                             // [len, d/2]
        var pe = Libtorch.Stack([angles.Sin(), angles.Cos()], 2).Reshape(1, length, dim);            // interleaved
        return pe.MoveToOuterScope();
    }
}

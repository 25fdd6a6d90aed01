using Micar.Torch;
using Micar.Nn;
namespace Micar.Layers;

/// <summary>
/// Table lookup: ids <c>[...]</c> (int64) → <c>[..., Dim]</c>. Tensor <c>weight [Count, Dim]</c>; no padding index.
/// </summary>
/// <param name="Count">Number of rows (vocabulary size).</param>
/// <param name="Dim">Row width.</param>
/// <param name="Init">N(0, 1) by default; Xavier (fan_in = Dim, fan_out = Count) in the official model.</param>
public sealed record Embedding(int Count, int Dim, WeightInit Init = WeightInit.TorchDefault) : IModule
{
    /// <inheritdoc/>
    public string Kind => "Embedding";

    /// <inheritdoc/>
    public IReadOnlyList<ParamInfo> Tensors =>
    [
        ParamInfo.Param("weight", new Shape(Count, Dim), Init switch
        {
            WeightInit.XavierUniform => new Initializer.XavierUniform(Dim, Count),
            _ => new Initializer.StandardNormal(),
        }),
    ];

    /// <inheritdoc/>
    public IReadOnlyList<NamedLayer> Children => [];

    /// <inheritdoc/>
    public IEnumerable<string> CheckFields()
    {
        if (Count <= 0) yield return $"Embedding.Count {Count} must be positive";
        if (Dim <= 0) yield return $"Embedding.Dim {Dim} must be positive";
    }

    /// <inheritdoc/>
    public Shape Trace(ShapeTracer tracer, IReadOnlyList<Shape> inputs)
    {
        tracer.ExpectInputs(inputs, 1);
        return new Shape([.. inputs[0], Dim]);
    }

    /// <summary>Looks up the rows of <c>weight</c> for the integer ids <paramref name="x"/>: <c>[...] → [..., Dim]</c>.</summary>
    public Tensor Apply(ParamView p, Tensor x, ForwardContext ctx) => F.Embedding(x, p["weight"]);
}

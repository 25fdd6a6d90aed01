using Micar.Torch;
using Micar.Nn;
namespace Micar.Layers;

/// <summary>Inverted dropout with probability <paramref name="P"/> in training, identity in eval. No tensors.</summary>
/// <param name="P">Probability of zeroing an element.</param>
public sealed record Dropout(double P) : IModule
{
    /// <inheritdoc/>
    public string Kind => "Dropout";

    /// <inheritdoc/>
    public IReadOnlyList<ParamInfo> Tensors => [];

    /// <inheritdoc/>
    public IReadOnlyList<NamedLayer> Children => [];

    /// <inheritdoc/>
    public IEnumerable<string> CheckFields()
    {
        if (!(P is >= 0 and < 1)) yield return $"Dropout.P {P} must lie in [0, 1)";
    }

    /// <inheritdoc/>
    public Shape Trace(ShapeTracer tracer, IReadOnlyList<Shape> inputs)
    {
        tracer.ExpectInputs(inputs, 1);
        return inputs[0];
    }

    /// <summary>Inverted dropout in training mode (the context's generator), the identity in evaluation.</summary>
    public Tensor Apply(ParamView p, Tensor x, ForwardContext ctx) => ctx.Dropout(x, P);
}

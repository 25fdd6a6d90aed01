using Micar.Torch;
using Micar.Nn;
namespace Micar.Layers;

/// <summary>An elementwise activation as a layer (an entry of an <c>nn.Sequential</c>). No tensors, shape-preserving.</summary>
/// <param name="Function">Which activation.</param>
public sealed record Act(Activation Function) : IModule
{
    /// <summary>The function name, e.g. <c>Silu</c>.</summary>
    public string Kind => Function.ToString();

    /// <inheritdoc/>
    public IReadOnlyList<ParamInfo> Tensors => [];

    /// <inheritdoc/>
    public IReadOnlyList<NamedLayer> Children => [];

    /// <inheritdoc/>
    public IEnumerable<string> CheckFields()
    {
        if (!Enum.IsDefined(Function)) yield return $"Act.Function {(int)Function} is not a known activation";
    }

    /// <inheritdoc/>
    public Shape Trace(ShapeTracer tracer, IReadOnlyList<Shape> inputs)
    {
        tracer.ExpectInputs(inputs, 1);
        return inputs[0];
    }

    /// <summary>The activation, elementwise.</summary>
    public Tensor Apply(ParamView p, Tensor x, ForwardContext ctx) => Activations.Of(Function)(x);
}

using Micar.Torch;
using Micar.Nn;
namespace Micar.Layers;

/// <summary>
/// <c>y = x + Inner(x, …)</c>. Transparent for names: the inner layer's keys appear directly under the
/// residual's own prefix. The inner output must have the shape of the first input.
/// </summary>
/// <param name="Inner">The residual branch.</param>
public sealed record Residual(ILayer Inner) : IModule
{
    /// <inheritdoc/>
    public string Kind => "Residual";

    /// <inheritdoc/>
    public IReadOnlyList<ParamInfo> Tensors => [];

    /// <inheritdoc/>
    public IReadOnlyList<NamedLayer> Children => [new("", Inner)];

    /// <inheritdoc/>
    public IEnumerable<string> CheckFields()
    {
        if (Inner is null) yield return "Residual.Inner is missing";
    }

    /// <inheritdoc/>
    public Shape Trace(ShapeTracer tracer, IReadOnlyList<Shape> inputs)
    {
        tracer.ExpectInputs(inputs, 1, int.MaxValue);
        var y = tracer.Call("", Inner, inputs);
        if (y != inputs[0]) throw tracer.Error($"branch output {y} does not match its input {inputs[0]}");
        return y;
    }

    /// <summary><c>x + Inner(x)</c> (the inner layer's parameters sit directly under this layer's prefix).</summary>
    public Tensor Apply(ParamView p, Tensor x, ForwardContext ctx)
    {
        using var y = Module.Runnable(Inner, "Residual.Inner").Apply(p, x, ctx);
        return x.Add(y);
    }
}

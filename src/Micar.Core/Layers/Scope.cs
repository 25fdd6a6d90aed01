using Micar.Torch;
using Micar.Nn;
namespace Micar.Layers;

/// <summary>A named scope: <c>Inner</c> unchanged, its keys prefixed with <paramref name="Name"/> (which may contain dots).</summary>
/// <param name="Name">Key prefix, e.g. <c>ff</c> or <c>block.0</c>.</param>
/// <param name="Inner">The wrapped layer.</param>
public sealed record Scope(string Name, ILayer Inner) : IModule
{
    /// <inheritdoc/>
    public string Kind => "Scope";

    /// <inheritdoc/>
    public IReadOnlyList<ParamInfo> Tensors => [];

    /// <inheritdoc/>
    public IReadOnlyList<NamedLayer> Children => [new(Name, Inner)];

    /// <inheritdoc/>
    public IEnumerable<string> CheckFields()
    {
        if (string.IsNullOrEmpty(Name) || Name.StartsWith('.') || Name.EndsWith('.') || Name.Contains(".."))
            yield return $"Scope.Name '{Name}' must be a non-empty dotted key prefix";
    }

    /// <inheritdoc/>
    public Shape Trace(ShapeTracer tracer, IReadOnlyList<Shape> inputs) => tracer.Call(Name, Inner, inputs);

    /// <summary>The inner layer with its parameters under <see cref="Name"/>.</summary>
    public Tensor Apply(ParamView p, Tensor x, ForwardContext ctx) => Module.Runnable(Inner, "Scope.Inner").Apply(p.At(Name), x, ctx);
}

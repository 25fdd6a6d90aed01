using Micar.Torch;
using Micar.Nn;
namespace Micar.Layers;

/// <summary>
/// <c>y = Inner(Norm(x), …)</c>: normalises the first input, passes any further inputs unchanged. Both children
/// are named (<paramref name="NormName"/>, <paramref name="InnerName"/>), so
/// <c>new Residual(new PreNorm(new RmsNorm(512), attention, "norm_sa", "self_attention"))</c> gives the keys of
/// the official pre-norm blocks.
/// </summary>
/// <param name="Norm">The normalisation.</param>
/// <param name="Inner">The layer applied to the normalised input.</param>
/// <param name="NormName">Key segment of the norm.</param>
/// <param name="InnerName">Key segment of the inner layer.</param>
public sealed record PreNorm(ILayer Norm, ILayer Inner, string NormName = "norm", string InnerName = "fn") : IModule
{
    /// <inheritdoc/>
    public string Kind => "PreNorm";

    /// <inheritdoc/>
    public IReadOnlyList<ParamInfo> Tensors => [];

    /// <inheritdoc/>
    public IReadOnlyList<NamedLayer> Children => [new(NormName, Norm), new(InnerName, Inner)];

    /// <inheritdoc/>
    public IEnumerable<string> CheckFields()
    {
        if (string.IsNullOrEmpty(NormName)) yield return "PreNorm.NormName must not be empty";
        if (string.IsNullOrEmpty(InnerName)) yield return "PreNorm.InnerName must not be empty";
        if (NormName == InnerName) yield return $"PreNorm.NormName and InnerName are both '{NormName}'";
    }

    /// <inheritdoc/>
    public Shape Trace(ShapeTracer tracer, IReadOnlyList<Shape> inputs)
    {
        tracer.ExpectInputs(inputs, 1, int.MaxValue);
        var n = tracer.Call(NormName, Norm, inputs[0]);
        return tracer.Call(InnerName, Inner, [n, .. inputs.Skip(1)]);
    }

    /// <summary><c>Inner(Norm(x))</c>, each under its own name.</summary>
    public Tensor Apply(ParamView p, Tensor x, ForwardContext ctx)
    {
        using var n = Module.Runnable(Norm, "PreNorm.Norm").Apply(p.At(NormName), x, ctx);
        return Module.Runnable(Inner, "PreNorm.Inner").Apply(p.At(InnerName), n, ctx);
    }
}

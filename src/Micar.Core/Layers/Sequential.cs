using Micar.Torch;
using Micar.Nn;
using System.Globalization;

namespace Micar.Layers;

/// <summary>
/// Applies its items in order, like <c>nn.Sequential</c>: children are named <c>0</c>, <c>1</c>, …
/// The first input is threaded through the items; any further inputs (context such as the encoder output
/// and the mask of a decoder stack) are passed unchanged to every item.
/// </summary>
/// <param name="Items">The layers, applied first to last.</param>
public sealed record Sequential(ValueList<ILayer> Items) : IModule
{
    /// <summary>A sequence of the given layers.</summary>
    public Sequential(params IEnumerable<ILayer> items) : this(ValueList.From(items)) { }

    /// <inheritdoc/>
    public string Kind => "Sequential";

    /// <inheritdoc/>
    public IReadOnlyList<ParamInfo> Tensors => [];

    /// <inheritdoc/>
    public IReadOnlyList<NamedLayer> Children =>
        Items.Select((l, i) => new NamedLayer(i.ToString(CultureInfo.InvariantCulture), l)).ToList();

    /// <inheritdoc/>
    public IEnumerable<string> CheckFields()
    {
        if (Items is null) yield return "Sequential.Items is missing";
    }

    /// <inheritdoc/>
    public Shape Trace(ShapeTracer tracer, IReadOnlyList<Shape> inputs)
    {
        tracer.ExpectInputs(inputs, 1, int.MaxValue);
        var x = inputs[0];
        for (var i = 0; i < Items.Count; i++)
            x = tracer.Call(i.ToString(CultureInfo.InvariantCulture), Items[i], [x, .. inputs.Skip(1)]);
        return x;
    }

    /// <summary>Runs the items in order, item <c>i</c> with the parameters under <c>i</c>.</summary>
    /// <exception cref="NotSupportedException">An item has no single-input form (e.g. a cross-attention).</exception>
    public Tensor Apply(ParamView p, Tensor x, ForwardContext ctx)
    {
        using var scope = Libtorch.NewScope();
        var y = x;
        for (var i = 0; i < Items.Count; i++)
            y = Module.Runnable(Items[i], $"Sequential item {i}").Apply(p.At(i.ToString(CultureInfo.InvariantCulture)), y, ctx);
        return ReferenceEquals(y, x) ? x.Alias() : y.MoveToOuterScope();
    }
}

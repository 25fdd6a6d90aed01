using System.Globalization;

namespace Micar.Layers;

/// <summary>
/// A container of layers named <c>0</c>, <c>1</c>, … that its owner calls one by one (like <c>nn.ModuleList</c>,
/// e.g. the experts of a <see cref="Moe"/>). It cannot be applied itself.
/// </summary>
/// <param name="Items">The layers.</param>
public sealed record LayerList(ValueList<ILayer> Items) : ILayer
{
    /// <summary>A list of the given layers.</summary>
    public LayerList(params IEnumerable<ILayer> items) : this(ValueList.From(items)) { }

    /// <inheritdoc/>
    public string Kind => "LayerList";

    /// <inheritdoc/>
    public IReadOnlyList<ParamInfo> Tensors => [];

    /// <inheritdoc/>
    public IReadOnlyList<NamedLayer> Children =>
        Items.Select((l, i) => new NamedLayer(i.ToString(CultureInfo.InvariantCulture), l)).ToList();

    /// <inheritdoc/>
    public IEnumerable<string> CheckFields()
    {
        if (Items is null) yield return "LayerList.Items is missing";
    }

    /// <inheritdoc/>
    public Shape Trace(ShapeTracer tracer, IReadOnlyList<Shape> inputs) =>
        throw tracer.Error("is a container: its owner calls the items one by one (e.g. \"experts.3\")");
}

namespace Micar.Layers;

/// <summary>Tree-wide operations on layer descriptions: parameters, counts, shapes, FLOPs, validation.</summary>
public static class Layer
{
    /// <summary>
    /// Every tensor of the tree with full state-dict keys, in state-dict order (a layer's own tensors,
    /// then its children's, depth first). <paramref name="prefix"/> is prepended (e.g. <c>vis_enc</c>).
    /// </summary>
    public static IEnumerable<ParamInfo> Parameters(this ILayer layer, string prefix = "")
    {
        foreach (var t in layer.Tensors)
            yield return t with { Name = ShapeTracer.Join(prefix, t.Name) };
        foreach (var (name, child) in layer.Children)
            foreach (var t in child.Parameters(ShapeTracer.Join(prefix, name)))
                yield return t;
    }

    /// <summary>
    /// Number of parameter elements as PyTorch's <c>sum(p.numel() for p in model.parameters())</c> counts them:
    /// trainable and frozen parameters, no buffers.
    /// </summary>
    public static long ParameterCount(this ILayer layer) =>
        layer.Parameters().Where(p => p.Kind.IsParameter()).Sum(p => p.Numel);

    /// <summary>Number of trainable parameter elements.</summary>
    public static long TrainableCount(this ILayer layer) =>
        layer.Parameters().Where(p => p.IsTrainable).Sum(p => p.Numel);

    /// <summary>All layers of the tree in pre-order, with their paths (transparent wrappers share their parent's path).</summary>
    public static IEnumerable<LayerNode> Walk(this ILayer layer, string prefix = "", int depth = 0)
    {
        yield return new LayerNode(prefix, depth, layer);
        foreach (var (name, child) in layer.Children)
            foreach (var n in child.Walk(ShapeTracer.Join(prefix, name), name.Length == 0 ? depth : depth + 1))
                yield return n;
    }

    /// <summary>Output shape for the given input shapes.</summary>
    /// <exception cref="ShapeException">The inputs do not fit; the message names the layer path.</exception>
    public static Shape OutputShape(this ILayer layer, params IReadOnlyList<Shape> inputs) =>
        new ShapeTracer().Run(layer, inputs);

    /// <summary>Forward FLOPs for the given input shapes (2 × multiply-adds of Linear/Conv plus attention matmuls).</summary>
    public static long Flops(this ILayer layer, params IReadOnlyList<Shape> inputs)
    {
        var t = new ShapeTracer();
        t.Run(layer, inputs);
        return t.TotalFlops;
    }

    /// <summary>
    /// Checks the whole tree: every layer's fields (<see cref="ILayer.CheckFields"/>), located by path, plus
    /// duplicate state-dict keys (checked once the fields are valid).
    /// </summary>
    public static IReadOnlyList<ValidationError> Validate(this ILayer layer, string prefix = "")
    {
        var errors = new List<ValidationError>();
        foreach (var node in layer.Walk(prefix))
            foreach (var message in node.Layer.CheckFields())
                errors.Add(new ValidationError(node.Path, message));
        if (errors.Count > 0) return errors; // tensors of invalid layers may not even have valid shapes
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in layer.Parameters(prefix))
            if (!seen.Add(p.Name))
                errors.Add(new ValidationError(p.Name, $"duplicate state-dict key '{p.Name}'"));
        return errors;
    }

    /// <summary>Throws <see cref="LayerValidationException"/> listing every problem, or returns the layer unchanged.</summary>
    public static T EnsureValid<T>(this T layer) where T : ILayer
    {
        var errors = layer.Validate();
        if (errors.Count > 0) throw new LayerValidationException(errors);
        return layer;
    }
}

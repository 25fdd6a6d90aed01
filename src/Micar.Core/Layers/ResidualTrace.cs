namespace Micar.Layers;

/// <summary>
/// Shape tracing shared by the two ResNet block kinds: the main path is the block's children in order
/// (conv, bn, conv, bn, …; ReLUs count nothing), the shortcut is <c>downsample</c> or identity, and the two must agree.
/// </summary>
internal static class ResidualTrace
{
    public static Shape Run(ShapeTracer tracer, ILayer block, IReadOnlyList<Shape> inputs)
    {
        tracer.ExpectInputs(inputs, 1);
        var x = inputs[0];
        var y = x;
        var shortcut = x;
        foreach (var (name, child) in block.Children)
        {
            if (name == "downsample") shortcut = tracer.Call(name, child, x);
            else y = tracer.Call(name, child, y);
        }
        if (y != shortcut) throw tracer.Error($"main path {y} and shortcut {shortcut} differ");
        return y;
    }
}

namespace Micar.Layers;

/// <summary>
/// Runs descriptions symbolically: threads shapes through <see cref="ILayer.Trace"/>, tracks the current
/// state-dict path, and records each layer's output shape and FLOPs. FLOPs follow the reference counting
/// (§12): 2 × multiply-adds of every Linear/Conv (biases excluded) plus the attention matmuls; norms,
/// activations, softmax, pooling, interpolation and elementwise work count zero.
/// </summary>
public sealed class ShapeTracer
{
    private readonly Dictionary<string, NodeTrace> _nodes = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    private readonly Stack<(string Path, ILayer Layer, double Share)> _stack = new();
    private readonly string _root;

    /// <summary>Creates a tracer whose root layer lives at <paramref name="rootPath"/> (a key prefix, usually empty).</summary>
    public ShapeTracer(string rootPath = "") => _root = rootPath;

    /// <summary>Path of the layer being traced.</summary>
    public string Path => _stack.Count == 0 ? _root : _stack.Peek().Path;

    /// <summary>Sum of all FLOPs recorded so far.</summary>
    public long TotalFlops => _nodes.Values.Sum(n => n.SelfFlops);

    /// <summary>Recorded nodes in first-call order.</summary>
    public IReadOnlyList<NodeTrace> Nodes => _order.Select(p => _nodes[p]).ToList();

    /// <summary>The record for a path, if that layer was called.</summary>
    public NodeTrace? Find(string path) => _nodes.GetValueOrDefault(path);

    /// <summary>FLOPs of the layer at <paramref name="path"/> and everything below it.</summary>
    public long FlopsUnder(string path) =>
        _nodes.Values.Where(n => IsUnder(n.Path, path)).Sum(n => n.SelfFlops);

    /// <summary>Traces <paramref name="layer"/> as the root, returning its output shape.</summary>
    public Shape Run(ILayer layer, params IReadOnlyList<Shape> inputs) => Call("", layer, inputs);

    /// <summary>Calls a child (or the root) whose key segment is <paramref name="name"/>.</summary>
    public Shape Call(string name, ILayer layer, params IReadOnlyList<Shape> inputs) =>
        CallShared(name, layer, 1.0, inputs);

    /// <summary>
    /// Calls a child that processes only a fraction of the tokens it is shown: its FLOPs are multiplied by
    /// <paramref name="share"/> (e.g. k/E for a sparsely dispatched expert, whose shape is traced on all tokens).
    /// </summary>
    public Shape CallShared(string name, ILayer layer, double share, params IReadOnlyList<Shape> inputs)
    {
        var path = Join(Path, name);
        var outer = _stack.Count == 0 ? 1.0 : _stack.Peek().Share;
        _stack.Push((path, layer, outer * share));
        Shape output;
        try
        {
            output = layer.Trace(this, inputs);
        }
        finally
        {
            _stack.Pop();
        }
        if (_nodes.TryGetValue(path, out var node))
            _nodes[path] = node with { Output = output, Kind = layer.Kind, Calls = node.Calls + 1, Layer = layer, Inputs = [.. inputs] };
        else
        {
            _nodes[path] = new NodeTrace(path, layer.Kind, output, 0, 1) { Layer = layer, Inputs = [.. inputs] };
            _order.Add(path);
        }
        return output;
    }

    /// <summary>Records FLOPs done by the current layer itself.</summary>
    public void AddFlops(long flops)
    {
        if (_stack.Count == 0) throw new InvalidOperationException("AddFlops called outside a traced layer.");
        var (path, layer, share) = _stack.Peek();
        var scaled = share == 1.0 ? flops : (long)Math.Round(flops * share);
        if (_nodes.TryGetValue(path, out var node)) _nodes[path] = node with { SelfFlops = node.SelfFlops + scaled };
        else
        {
            _nodes[path] = new NodeTrace(path, layer.Kind, Shape.Scalar, scaled, 0);
            _order.Add(path);
        }
    }

    /// <summary>An exception for the current layer, to throw when its inputs do not fit.</summary>
    public ShapeException Error(string message) =>
        new(Path, _stack.Count == 0 ? message : $"{_stack.Peek().Layer.Kind} {message}");

    /// <summary>Checks the number of inputs.</summary>
    public void ExpectInputs(IReadOnlyList<Shape> inputs, int count)
    {
        if (inputs.Count != count)
            throw Error($"expects {count} input{(count == 1 ? "" : "s")}, got {inputs.Count}");
    }

    /// <summary>Checks the number of inputs is between <paramref name="min"/> and <paramref name="max"/>.</summary>
    public void ExpectInputs(IReadOnlyList<Shape> inputs, int min, int max)
    {
        if (inputs.Count < min || inputs.Count > max)
            throw Error($"expects {min} to {max} inputs, got {inputs.Count}");
    }

    /// <summary>Checks the rank of an input.</summary>
    public void ExpectRank(Shape shape, int rank, string what)
    {
        if (shape.Rank != rank) throw Error($"{what} must have rank {rank}, got {shape}");
    }

    /// <summary>Checks the rank of an input is at least <paramref name="rank"/>.</summary>
    public void ExpectMinRank(Shape shape, int rank, string what)
    {
        if (shape.Rank < rank) throw Error($"{what} must have rank ≥ {rank}, got {shape}");
    }

    /// <summary>Checks one dimension of an input.</summary>
    public void ExpectDim(Shape shape, int axis, long size, string what)
    {
        if (shape[axis] != size)
            throw Error($"{what} {shape} must have size {size} in dimension {(axis < 0 ? shape.Rank + axis : axis)}");
    }

    /// <summary>Joins key segments, skipping empty ones.</summary>
    public static string Join(string parent, string name) =>
        parent.Length == 0 ? name : name.Length == 0 ? parent : parent + "." + name;

    /// <summary>True when <paramref name="path"/> is <paramref name="ancestor"/> or lies below it.</summary>
    public static bool IsUnder(string path, string ancestor) =>
        ancestor.Length == 0 || path == ancestor ||
        (path.Length > ancestor.Length && path.StartsWith(ancestor, StringComparison.Ordinal) && path[ancestor.Length] == '.');
}

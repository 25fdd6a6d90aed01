namespace Micar.Layers;

/// <summary>
/// A layer description: an immutable value holding hyperparameters only (no tensors, no state).
/// From it alone one can list the tensors it needs (<see cref="Tensors"/> and, recursively, <see cref="Children"/>),
/// infer output shapes and count FLOPs (<see cref="Trace"/>), and check its fields (<see cref="CheckFields"/>).
/// The tree-wide operations (<c>Parameters</c>, <c>ParameterCount</c>, <c>OutputShape</c>, <c>Flops</c>,
/// <c>Validate</c>) are extension methods in <see cref="Layer"/>.
/// </summary>
public interface ILayer
{
    /// <summary>Block name for summaries, e.g. <c>Linear</c>, <c>MdlaSelfAttention</c>.</summary>
    string Kind { get; }

    /// <summary>
    /// Tensors this layer owns directly, with local names (<c>weight</c>, <c>running_mean</c>, …), parameters
    /// before buffers, in PyTorch registration order. A layer's own tensors precede its children's in the state dict.
    /// </summary>
    IReadOnlyList<ParamInfo> Tensors { get; }

    /// <summary>
    /// Sub-layers with their key segments, in state-dict order. A segment may itself contain dots
    /// (never needed by the built-in layers) or be empty: an empty name adds no segment (a transparent wrapper).
    /// </summary>
    IReadOnlyList<NamedLayer> Children { get; }

    /// <summary>
    /// Problems with this layer's own fields and with the consistency of its children's fields (children
    /// check themselves). Messages name the field and the values, e.g. <c>Mdla.LatentDim 770 is not divisible by Heads 8</c>.
    /// </summary>
    IEnumerable<string> CheckFields();

    /// <summary>
    /// Symbolic forward: given the input shapes, returns the (primary) output shape, calling children through
    /// <see cref="ShapeTracer.Call"/> exactly as the real forward would and reporting the layer's own
    /// arithmetic (e.g. attention matmuls) with <see cref="ShapeTracer.AddFlops"/>.
    /// Throws <see cref="ShapeException"/> (via the tracer) when the inputs do not fit.
    /// </summary>
    Shape Trace(ShapeTracer tracer, IReadOnlyList<Shape> inputs);
}

/// <summary>A child layer and its state-dict key segment.</summary>
/// <param name="Name">Key segment (<c>self_attention</c>, <c>0</c>); empty for a transparent wrapper.</param>
/// <param name="Layer">The child description.</param>
public readonly record struct NamedLayer(string Name, ILayer Layer);

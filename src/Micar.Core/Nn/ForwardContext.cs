using Micar.Torch;

namespace Micar.Nn;

/// <summary>What a forward pass needs besides parameters and inputs: train/eval mode, the dropout RNG, the
/// device, and an optional trace sink that records attention maps and routing decisions.</summary>
public sealed record ForwardContext
{
    /// <summary>Training mode: dropout active, batch-norm uses and updates batch statistics.</summary>
    public bool Training { get; init; }
    /// <summary>Generator for dropout masks (null: libtorch's default generator).</summary>
    public Generator? Rng { get; init; }
    /// <summary>Momentum of batch-norm running statistics in training mode for every batch norm of the pass, overriding
    /// each description's <see cref="Layers.BatchNorm2d.Momentum"/> (the trainer's batch-norm calibration sets 1/(k+1));
    /// null: each batch norm uses its own description's momentum (PyTorch's default 0.1).</summary>
    public double? BatchNormMomentum { get; init; }
    /// <summary>SyncBatchNorm: in training mode every batch norm takes its statistics over the whole global batch, summed
    /// across this process group (two differentiable all-reduces per batch norm forward, two backward), so every rank
    /// normalises, and updates its running statistics, as one process with the whole batch would. Null: each rank's
    /// own batch (PyTorch's default under DDP). Ignored in evaluation mode.</summary>
    public Micar.Torch.Distributed.ProcessGroup? SyncBatchNorm { get; init; }
    /// <summary>Receives what blocks saw (null: nothing is recorded).</summary>
    public ITraceSink? Trace { get; init; }
    /// <summary>Algorithm of the MSVE 3×3 fusion convolution; null chooses: Winograd F(4×4, 3×3) on CPU for maps of at
    /// least 512 channels and 1,568 output pixels (faster there on CPU, relative error ≈ 1e-5; timings in the README),
    /// libtorch's direct convolution otherwise. <see cref="ConvAlgorithm.Direct"/> reproduces
    /// PyTorch's numbers to the last bit.</summary>
    public ConvAlgorithm? FusionConv { get; init; }

    /// <summary>The names of the fusion conv choices, as command lines spell them (auto = null).</summary>
    public static IReadOnlyList<string> FusionConvNames { get; } = ["auto", "direct", "winograd2", "winograd4"];

    /// <summary>Parses one of <see cref="FusionConvNames"/> (auto gives null, the automatic choice).</summary>
    public static ConvAlgorithm? ParseFusionConv(string name) => name switch
    {
        "auto" => null, "direct" => ConvAlgorithm.Direct, "winograd2" => ConvAlgorithm.Winograd2, "winograd4" => ConvAlgorithm.Winograd4,
        _ => throw new ArgumentException($"fusion conv '{name}' is not one of {string.Join(", ", FusionConvNames)}"),
    };

    /// <summary>Evaluation mode, no trace.</summary>
    public static ForwardContext Eval { get; } = new();

    /// <summary>Training mode with the given dropout generator.</summary>
    public static ForwardContext Train(Generator? rng = null) => new() { Training = true, Rng = rng };

    /// <summary>Dropout with this context's mode and generator.</summary>
    public Tensor Dropout(Tensor x, double p) => F.Dropout(x, p, Training, Rng);
}

/// <summary>Receives tensors recorded by blocks during a forward pass, keyed by the block's parameter prefix
/// (e.g. <c>decoder.layers.0.self_attention</c>) and a kind (<c>attention</c>, <c>routing.scores</c>, …).
/// Tensors passed in are owned by the caller's scope: clone or copy what you keep.</summary>
public interface ITraceSink
{
    /// <summary>Records one tensor.</summary>
    void Record(string path, string kind, Tensor value);
}

/// <summary>A trace sink that keeps CPU copies of everything (detached, out of every scope).</summary>
public sealed class TraceRecorder : ITraceSink, IDisposable
{
    readonly List<(string Path, string Kind, Tensor Value)> _items = new();

    /// <summary>Recorded entries in order.</summary>
    public IReadOnlyList<(string Path, string Kind, Tensor Value)> Items => _items;

    /// <inheritdoc />
    public void Record(string path, string kind, Tensor value) =>
        _items.Add((path, kind, value.Detach().To(device: Device.Cpu, copy: true).DetachFromScope()));

    /// <summary>Entries of one kind, optionally under one path.</summary>
    public IEnumerable<(string Path, Tensor Value)> Of(string kind, string? path = null) =>
        _items.Where(i => i.Kind == kind && (path is null || i.Path == path)).Select(i => (i.Path, i.Value));

    /// <summary>Releases the recorded tensors.</summary>
    public void Dispose()
    {
        foreach (var i in _items) i.Value.Dispose();
        _items.Clear();
    }
}

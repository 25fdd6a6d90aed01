namespace Micar.Layers;

/// <summary>A description failed validation; <see cref="Errors"/> lists every problem.</summary>
public sealed class LayerValidationException(IReadOnlyList<ValidationError> errors)
    : Exception("Invalid layer description:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e)))
{
    /// <summary>The problems, each naming the layer path and field.</summary>
    public IReadOnlyList<ValidationError> Errors { get; } = errors;
}

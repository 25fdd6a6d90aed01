using Micar.Layers;

namespace Micar.Spec;

/// <summary>A spec failed validation; <see cref="Errors"/> lists every problem with its field path.</summary>
public sealed class SpecValidationException(string specName, IReadOnlyList<ValidationError> errors)
    : Exception($"Spec '{specName}' is invalid:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e.Message)))
{
    /// <summary>The problems.</summary>
    public IReadOnlyList<ValidationError> Errors { get; } = errors;
}

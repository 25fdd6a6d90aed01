namespace Micar.Spec;

/// <summary>One problem in a spec file: the field path (JSON/YAML keys, e.g. <c>vision.depth</c>), the line when known, and what is wrong.</summary>
/// <param name="Field">Dotted field path; null when the problem is not about one field (e.g. a syntax error).</param>
/// <param name="Line">1-based line in the file, when known.</param>
/// <param name="Message">What is wrong.</param>
public sealed record SpecFormatProblem(string? Field, int? Line, string Message)
{
    /// <summary><c>field 'vision.depth' (line 3): expected an integer, got "deep"</c>.</summary>
    public override string ToString() =>
        (Field is null ? "" : $"field '{Field}'") +
        (Line is null ? "" : (Field is null ? "" : " ") + $"(line {Line})") +
        (Field is null && Line is null ? "" : ": ") + Message;
}

namespace Micar.Spec;

/// <summary>A spec file (or text) could not be read: bad syntax, an unknown field or a value of the wrong type.</summary>
public sealed class SpecFormatException(string file, IReadOnlyList<SpecFormatProblem> problems)
    : Exception(problems.Count == 1
        ? $"{file}: {problems[0]}"
        : $"{file}: {problems.Count} problems:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  " + p)))
{
    /// <summary>The file name (or a label such as <c>&lt;yaml&gt;</c> for text).</summary>
    public string File { get; } = file;

    /// <summary>The problems, in document order.</summary>
    public IReadOnlyList<SpecFormatProblem> Problems { get; } = problems;
}

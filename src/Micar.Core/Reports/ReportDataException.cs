namespace Micar.Reports;

/// <summary>Report input that cannot be drawn: the message names the offending field by its path (<c>CrossAttention[1][3]</c>).</summary>
public sealed class ReportDataException : Exception
{
    /// <summary>Creates the exception for <paramref name="field"/>.</summary>
    public ReportDataException(string field, string problem)
        : base($"{field}: {problem}")
    {
        Field = field;
        Problem = problem;
    }

    /// <summary>Path of the offending field, e.g. <c>ExplainData.Routing[0].Chosen[4][1]</c>.</summary>
    public string Field { get; }

    /// <summary>What is wrong with the field.</summary>
    public string Problem { get; }
}

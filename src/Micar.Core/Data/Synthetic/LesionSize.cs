namespace Micar.Data.Synthetic;

/// <summary>
/// Relative size of a finding. Reported as "small" and "large"; medium is the unmarked form (no size word),
/// since the vocabulary has no word "medium" or "moderate".
/// </summary>
public enum LesionSize
{
    /// <summary>Not stated (only when decoding a code string with <c>?</c>).</summary>
    Unknown,

    /// <summary>Code <c>small</c>.</summary>
    Small,

    /// <summary>Code <c>medium</c>.</summary>
    Medium,

    /// <summary>Code <c>large</c>.</summary>
    Large,
}

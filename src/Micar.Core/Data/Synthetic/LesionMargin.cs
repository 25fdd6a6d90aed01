namespace Micar.Data.Synthetic;

/// <summary>A lesion's margin: reported as "with clear margin" or "with blurred margin".</summary>
public enum LesionMargin
{
    /// <summary>Not stated (only in extracted findings).</summary>
    Unknown,

    /// <summary>Does not apply (pleural effusion) (code <c>na</c>).</summary>
    NotApplicable,

    /// <summary>Sharp edge (code <c>well</c>).</summary>
    WellDefined,

    /// <summary>Soft, irregular edge (code <c>ill</c>).</summary>
    IllDefined,
}

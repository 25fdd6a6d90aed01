namespace Micar.Data.Synthetic;

/// <summary>
/// Where across its lung a lesion lies: against the lateral chest wall ("subpleural") or against the
/// mediastinum near the hilum (reported as "hilar", since the vocabulary has no word "central").
/// </summary>
public enum LesionDepth
{
    /// <summary>Not stated (only in extracted findings).</summary>
    Unknown,

    /// <summary>Does not apply (pleural effusion) (code <c>na</c>).</summary>
    NotApplicable,

    /// <summary>Touching the lateral pleura (code <c>subpleural</c>).</summary>
    Subpleural,

    /// <summary>Medial, next to the mediastinum and hilum (code <c>central</c>).</summary>
    Central,
}

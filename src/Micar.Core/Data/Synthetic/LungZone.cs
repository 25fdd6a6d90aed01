namespace Micar.Data.Synthetic;

/// <summary>
/// Which third of a lung a lesion occupies. A single axial slice has no cranio-caudal axis, so the synthetic
/// slices encode the zone by the lesion's anterior–posterior position within its lung field, as the lobes lie on
/// a mid-thoracic axial slice: upper = anterior (top) third, middle = middle third, lower = posterior (bottom)
/// third. Reported as "upper lobe", "middle lobe" (right) or "lingual segment" (left), "lower lobe".
/// </summary>
public enum LungZone
{
    /// <summary>Not stated (only in extracted findings).</summary>
    Unknown,

    /// <summary>Does not apply (pleural effusion) (code <c>na</c>).</summary>
    NotApplicable,

    /// <summary>Anterior third of the lung field (code <c>upper</c>).</summary>
    Upper,

    /// <summary>Middle third of the lung field (code <c>middle</c>).</summary>
    Middle,

    /// <summary>Posterior third of the lung field (code <c>lower</c>).</summary>
    Lower,
}

namespace Micar.Data.Synthetic;

/// <summary>
/// The patient's side. Images follow the radiological convention: the patient's right is on the image's left
/// (and the patient's anterior at the top).
/// </summary>
public enum LungSide
{
    /// <summary>Not stated (only in extracted findings).</summary>
    Unknown,

    /// <summary>Patient's right: the left half of the image (code <c>right</c>).</summary>
    Right,

    /// <summary>Patient's left: the right half of the image (code <c>left</c>).</summary>
    Left,
}

namespace Micar.Data.Synthetic;

/// <summary>Which attributes two findings must share to count as the same finding when scoring.</summary>
public enum FindingMatch
{
    /// <summary>Type only.</summary>
    Type,

    /// <summary>Type, side and zone (the default).</summary>
    TypeSideZone,

    /// <summary>Every attribute: type, side, zone, depth, size, margin and air bronchogram.</summary>
    All,
}

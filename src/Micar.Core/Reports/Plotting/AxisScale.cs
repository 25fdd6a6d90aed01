namespace Micar.Reports.Plotting;

/// <summary>How an axis maps values to positions.</summary>
public enum AxisScale
{
    /// <summary>Equal steps for equal differences.</summary>
    Linear,

    /// <summary>Equal steps for equal ratios; values ≤ 0 cannot be drawn and are left out.</summary>
    Log10,
}

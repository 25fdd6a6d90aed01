namespace Micar.Data.Synthetic;

/// <summary>A shape <see cref="SliceCanvas"/> can blend in: a bounding box and anti-aliased pixel coverage.</summary>
internal interface IPixelShape
{
    /// <summary>Bounding box in pixel coordinates.</summary>
    double Left { get; }
    /// <inheritdoc cref="Left"/>
    double Top { get; }
    /// <inheritdoc cref="Left"/>
    double Right { get; }
    /// <inheritdoc cref="Left"/>
    double Bottom { get; }

    /// <summary>Coverage in [0, 1] of the pixel centred at (x, y).</summary>
    double Coverage(double x, double y);
}

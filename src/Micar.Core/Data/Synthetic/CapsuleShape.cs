namespace Micar.Data.Synthetic;

/// <summary>A tapered line segment (radius <c>R0</c> at one end, <c>R1</c> at the other) in pixel coordinates, with anti-aliased coverage.</summary>
internal readonly struct CapsuleShape : IPixelShape
{
    private readonly double _x0, _y0, _dx, _dy, _invLen2, _r0, _dr;

    /// <summary>Creates the capsule from (<paramref name="x0"/>, <paramref name="y0"/>) to (<paramref name="x1"/>, <paramref name="y1"/>).</summary>
    public CapsuleShape(double x0, double y0, double x1, double y1, double r0, double r1)
    {
        _x0 = x0;
        _y0 = y0;
        _dx = x1 - x0;
        _dy = y1 - y0;
        var len2 = _dx * _dx + _dy * _dy;
        _invLen2 = len2 > 0 ? 1 / len2 : 0;
        _r0 = r0;
        _dr = r1 - r0;
        var r = Math.Max(r0, r1) + 1.5;
        Left = Math.Min(x0, x1) - r;
        Right = Math.Max(x0, x1) + r;
        Top = Math.Min(y0, y1) - r;
        Bottom = Math.Max(y0, y1) + r;
    }

    /// <summary>Bounding box in pixels.</summary>
    public double Left { get; }

    /// <inheritdoc cref="Left"/>
    public double Right { get; }

    /// <inheritdoc cref="Left"/>
    public double Top { get; }

    /// <inheritdoc cref="Left"/>
    public double Bottom { get; }

    /// <summary>Coverage of the pixel centred at (x, y): 1 inside, 0 outside, a 1-pixel linear ramp across the edge.
    /// Radii under half a pixel give proportionally fainter lines.</summary>
    public double Coverage(double x, double y)
    {
        var px = x - _x0;
        var py = y - _y0;
        var t = Math.Clamp((px * _dx + py * _dy) * _invLen2, 0, 1);
        var ex = px - t * _dx;
        var ey = py - t * _dy;
        var r = _r0 + t * _dr;
        var d = Math.Sqrt(ex * ex + ey * ey) - Math.Max(r, 0.5);
        var c = Math.Clamp(0.5 - d, 0, 1);
        return r < 0.5 ? c * r * 2 : c;
    }
}

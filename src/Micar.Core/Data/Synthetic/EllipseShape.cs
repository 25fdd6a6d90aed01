namespace Micar.Data.Synthetic;

/// <summary>
/// An ellipse in pixel coordinates, optionally rotated and with a different vertical semi-axis above and below
/// its centre (a chest is flatter posteriorly), giving anti-aliased pixel coverage.
/// </summary>
internal readonly struct EllipseShape : IPixelShape
{
    private readonly double _cx, _cy, _ia2, _ia4, _ibTop2, _ibTop4, _ibBottom2, _ibBottom4, _cos, _sin, _qIn, _qOut;

    /// <summary>Creates the ellipse.</summary>
    /// <param name="cx">Centre x (pixels).</param>
    /// <param name="cy">Centre y (pixels, growing downwards).</param>
    /// <param name="a">Semi-axis along the (rotated) x direction.</param>
    /// <param name="bTop">Semi-axis towards the top (rotated −y).</param>
    /// <param name="bBottom">Semi-axis towards the bottom (rotated +y).</param>
    /// <param name="angle">Rotation in radians (positive turns +x towards +y).</param>
    public EllipseShape(double cx, double cy, double a, double bTop, double bBottom, double angle = 0)
    {
        a = Math.Max(a, 0.5);
        bTop = Math.Max(bTop, 0.5);
        bBottom = Math.Max(bBottom, 0.5);
        _cx = cx;
        _cy = cy;
        _ia2 = 1 / (a * a);
        _ia4 = _ia2 * _ia2;
        _ibTop2 = 1 / (bTop * bTop);
        _ibTop4 = _ibTop2 * _ibTop2;
        _ibBottom2 = 1 / (bBottom * bBottom);
        _ibBottom4 = _ibBottom2 * _ibBottom2;
        _cos = Math.Cos(angle);
        _sin = Math.Sin(angle);
        var band = 1.5 / Math.Min(a, Math.Min(bTop, bBottom));
        _qIn = band < 1 ? (1 - band) * (1 - band) : 0;
        _qOut = (1 + band) * (1 + band);
        Left = cx - Math.Max(a, Math.Max(bTop, bBottom)) - 2;
        Right = cx + Math.Max(a, Math.Max(bTop, bBottom)) + 2;
        Top = cy - Math.Max(a, Math.Max(bTop, bBottom)) - 2;
        Bottom = cy + Math.Max(a, Math.Max(bTop, bBottom)) + 2;
        if (angle == 0)
        {
            Left = cx - a - 2;
            Right = cx + a + 2;
            Top = cy - bTop - 2;
            Bottom = cy + bBottom + 2;
        }
    }

    /// <summary>Circle of radius <paramref name="r"/>.</summary>
    public static EllipseShape Circle(double cx, double cy, double r) => new(cx, cy, r, r, r);

    /// <summary>Bounding box (pixels, with a 2-pixel margin).</summary>
    public double Left { get; }

    /// <inheritdoc cref="Left"/>
    public double Right { get; }

    /// <inheritdoc cref="Left"/>
    public double Top { get; }

    /// <inheritdoc cref="Left"/>
    public double Bottom { get; }

    /// <summary>Fraction of the one-pixel-wide neighbourhood of (x, y) inside the ellipse, with a linear 1-pixel ramp.</summary>
    public double Coverage(double x, double y)
    {
        if (x < Left || x > Right || y < Top || y > Bottom)
        {
            return 0;
        }

        var dx = x - _cx;
        var dy = y - _cy;
        var u = dx * _cos + dy * _sin;
        var v = dy * _cos - dx * _sin;
        double ib2, ib4;
        if (v < 0)
        {
            ib2 = _ibTop2;
            ib4 = _ibTop4;
        }
        else
        {
            ib2 = _ibBottom2;
            ib4 = _ibBottom4;
        }

        var q = u * u * _ia2 + v * v * ib2;
        if (q >= _qOut)
        {
            return 0;
        }

        if (q <= _qIn)
        {
            return 1;
        }

        // Signed distance to the boundary ≈ f / |∇f| with f = q − 1.
        var g = 2 * Math.Sqrt(u * u * _ia4 + v * v * ib4);
        var d = g > 0 ? (q - 1) / g : -1;
        return Math.Clamp(0.5 - d, 0, 1);
    }
}

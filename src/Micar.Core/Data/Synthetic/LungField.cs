namespace Micar.Data.Synthetic;

/// <summary>
/// The extent of one lung on a rendered canvas (pixels where the lung coverage exceeds one half, on that side
/// of the midline), used to place findings: its top and bottom rows, its zones, and per row and column its
/// borders.
/// </summary>
internal sealed class LungField
{
    private const float Inside = 0.5f;
    private readonly SliceCanvas _canvas;
    private readonly int _xFrom, _xTo; // half-open column range of this side

    /// <summary>Measures the lung of <paramref name="side"/> on <paramref name="canvas"/>.</summary>
    public LungField(SliceCanvas canvas, LungSide side, double midX)
    {
        _canvas = canvas;
        Side = side;
        var mid = Math.Clamp((int)Math.Round(midX), 1, canvas.Size - 1);
        (_xFrom, _xTo) = side == LungSide.Right ? (0, mid) : (mid, canvas.Size);
        Inward = side == LungSide.Right ? 1 : -1;
        Top = -1;
        Bottom = -1;
        Left = canvas.Size;
        Right = -1;
        for (var y = 0; y < canvas.Size; y++)
        {
            for (var x = _xFrom; x < _xTo; x++)
            {
                if (canvas.Lung[y * canvas.Size + x] > Inside)
                {
                    if (Top < 0)
                    {
                        Top = y;
                    }

                    Bottom = y;
                    Left = Math.Min(Left, x);
                    Right = Math.Max(Right, x);
                }
            }
        }

        if (Top < 0)
        {
            throw new InvalidOperationException($"Synthetic slice: the {side} lung is empty at size {canvas.Size}.");
        }
    }

    /// <summary>Which lung.</summary>
    public LungSide Side { get; }

    /// <summary>+1 when moving right (increasing x) goes from the lateral wall towards the midline, else −1.</summary>
    public int Inward { get; }

    /// <summary>First and last rows holding this lung.</summary>
    public int Top { get; }

    /// <inheritdoc cref="Top"/>
    public int Bottom { get; }

    /// <summary>First and last columns holding this lung.</summary>
    public int Left { get; }

    /// <inheritdoc cref="Left"/>
    public int Right { get; }

    /// <summary>Height of the lung in pixels.</summary>
    public int Height => Bottom - Top + 1;

    /// <summary>Centre row of a zone: the upper, middle and lower thirds from anterior (top) to posterior.</summary>
    public double ZoneCentre(LungZone zone) => zone switch
    {
        LungZone.Upper => Top + Height / 6.0,
        LungZone.Middle => Top + Height / 2.0,
        LungZone.Lower => Top + Height * 5 / 6.0,
        _ => throw new ArgumentOutOfRangeException(nameof(zone), zone, "A lung lesion needs an upper, middle or lower zone."),
    };

    /// <summary>Lateral (chest-wall) and medial (mediastinal) border columns of the lung on row <paramref name="y"/>,
    /// searching the nearest row that holds lung.</summary>
    public (int Lateral, int Medial) RowBorders(int y)
    {
        for (var delta = 0; delta < _canvas.Size; delta++)
        {
            foreach (var row in new[] { y + delta, y - delta })
            {
                if (row < Top || row > Bottom)
                {
                    continue;
                }

                int first = -1, last = -1;
                for (var x = _xFrom; x < _xTo; x++)
                {
                    if (_canvas.Lung[row * _canvas.Size + x] > Inside)
                    {
                        if (first < 0)
                        {
                            first = x;
                        }

                        last = x;
                    }
                }

                if (first >= 0)
                {
                    return Side == LungSide.Right ? (first, last) : (last, first);
                }
            }
        }

        throw new InvalidOperationException($"Synthetic slice: no row of the {Side} lung near row {y}.");
    }

    /// <summary>Lowest (most posterior) row of lung in column <paramref name="x"/>, or −1 when the column has none.</summary>
    public int ColumnBottom(int x)
    {
        if (x < _xFrom || x >= _xTo)
        {
            return -1;
        }

        for (var y = Bottom; y >= Top; y--)
        {
            if (_canvas.Lung[y * _canvas.Size + x] > Inside)
            {
                return y;
            }
        }

        return -1;
    }
}

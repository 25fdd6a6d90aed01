using System.Buffers;

namespace Micar.Data.Synthetic;

/// <summary>
/// The working image of one slice: grey values in [0, 1] (lung-window display scale) plus, per pixel, the
/// coverage of the lungs and of the body, which later drawing steps use to keep lesions inside the lungs.
/// The buffers are pooled (a 224-pixel plane is above the large-object threshold): dispose the canvas.
/// </summary>
internal sealed class SliceCanvas : IDisposable
{
    /// <summary>Creates an all-zero canvas.</summary>
    public SliceCanvas(int size)
    {
        Size = size;
        Values = Rent(size * size);
        Lung = Rent(size * size);
        Body = Rent(size * size);
    }

    /// <summary>A zeroed pooled buffer of at least <paramref name="length"/> elements.</summary>
    public static float[] Rent(int length)
    {
        var buffer = ArrayPool<float>.Shared.Rent(length);
        Array.Clear(buffer, 0, length);
        return buffer;
    }

    /// <summary>Returns a buffer from <see cref="Rent"/>.</summary>
    public static void Return(float[] buffer) => ArrayPool<float>.Shared.Return(buffer);

    /// <inheritdoc/>
    public void Dispose()
    {
        Return(Values);
        Return(Lung);
        Return(Body);
    }

    /// <summary>Side in pixels.</summary>
    public int Size { get; }

    /// <summary>Grey values, row-major, top row first (the buffer may be longer than Size²).</summary>
    public float[] Values { get; }

    /// <summary>Lung coverage in [0, 1] per pixel.</summary>
    public float[] Lung { get; }

    /// <summary>Body coverage in [0, 1] per pixel.</summary>
    public float[] Body { get; }

    /// <summary>Moves pixel <paramref name="index"/> towards <paramref name="value"/> by <paramref name="alpha"/>.</summary>
    public void Blend(int index, double value, double alpha)
    {
        if (alpha > 0)
        {
            Values[index] += (float)((value - Values[index]) * Math.Min(alpha, 1));
        }
    }

    /// <summary>Integer pixel range covering a box, clipped to the image.</summary>
    public (int X0, int Y0, int X1, int Y1) Clip(double left, double top, double right, double bottom) =>
        (Math.Max(0, (int)Math.Floor(left)), Math.Max(0, (int)Math.Floor(top)),
         Math.Min(Size - 1, (int)Math.Ceiling(right)), Math.Min(Size - 1, (int)Math.Ceiling(bottom)));

    /// <summary>Blends a capsule in, weighted by <paramref name="weight"/>(pixel index) when given.</summary>
    public void Paint(in CapsuleShape shape, double value, double alpha, float[]? weight = null) => PaintShape(shape, value, alpha, weight);

    /// <summary>Blends an ellipse in, weighted by <paramref name="weight"/>(pixel index) when given.</summary>
    public void Paint(in EllipseShape shape, double value, double alpha, float[]? weight = null) => PaintShape(shape, value, alpha, weight);

    private void PaintShape<TShape>(in TShape shape, double value, double alpha, float[]? weight)
        where TShape : struct, IPixelShape
    {
        var (x0, y0, x1, y1) = Clip(shape.Left, shape.Top, shape.Right, shape.Bottom);
        for (var y = y0; y <= y1; y++)
        {
            for (var x = x0; x <= x1; x++)
            {
                var i = y * Size + x;
                var w = weight is null ? 1f : weight[i];
                if (w <= 0)
                {
                    continue;
                }

                var c = shape.Coverage(x + 0.5, y + 0.5);
                if (c > 0)
                {
                    Blend(i, value, c * alpha * w);
                }
            }
        }
    }
}

namespace Micar.Data.Synthetic;

/// <summary>Smooth random texture: uniform values in [−1, 1] on a coarse grid, bilinearly interpolated.</summary>
internal sealed class ValueNoise
{
    private readonly float[] _grid;
    private readonly int _cells;
    private readonly double _scale;

    /// <summary>Creates a texture over a square of <paramref name="extent"/> pixels with <paramref name="cells"/> cells per side.</summary>
    public ValueNoise(SynthRandom random, int extent, int cells)
    {
        _cells = cells;
        _scale = (double)cells / extent;
        _grid = new float[(cells + 2) * (cells + 2)];
        for (var i = 0; i < _grid.Length; i++)
        {
            _grid[i] = (float)(random.NextDouble() * 2 - 1);
        }
    }

    /// <summary>Texture value at pixel coordinates (x, y), in [−1, 1].</summary>
    public double At(double x, double y)
    {
        var gx = Math.Clamp(x * _scale, 0, _cells + 0.999);
        var gy = Math.Clamp(y * _scale, 0, _cells + 0.999);
        var ix = (int)gx;
        var iy = (int)gy;
        var fx = gx - ix;
        var fy = gy - iy;
        var w = _cells + 2;
        var top = _grid[iy * w + ix] + (_grid[iy * w + ix + 1] - _grid[iy * w + ix]) * fx;
        var bottom = _grid[(iy + 1) * w + ix] + (_grid[(iy + 1) * w + ix + 1] - _grid[(iy + 1) * w + ix]) * fx;
        return top + (bottom - top) * fy;
    }
}

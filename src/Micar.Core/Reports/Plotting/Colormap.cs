namespace Micar.Reports.Plotting;

/// <summary>
/// A continuous colormap: a list of equally spaced anchor colours with linear interpolation between them.
/// Values are mapped from [0, 1]; values outside are clamped, NaN maps to <see cref="Missing"/>.
/// </summary>
public sealed class Colormap
{
    private readonly Rgb[] _anchors;

    /// <summary>A colormap through <paramref name="anchors"/> (at least two), equally spaced over [0, 1].</summary>
    public Colormap(string name, IReadOnlyList<Rgb> anchors, Rgb missing)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(anchors);
        if (anchors.Count < 2)
            throw new ArgumentException($"Colormap '{name}' needs at least two anchor colours, got {anchors.Count}.", nameof(anchors));
        Name = name;
        _anchors = [.. anchors];
        Missing = missing;
    }

    /// <summary>Name shown nowhere but useful in messages.</summary>
    public string Name { get; }

    /// <summary>Colour for NaN (cells with no value).</summary>
    public Rgb Missing { get; }

    /// <summary>
    /// Viridis (perceptually uniform, readable in greyscale and by colour-blind readers): matplotlib's viridis
    /// sampled at 17 equally spaced points, linearly interpolated in between.
    /// </summary>
    public static Colormap Viridis { get; } = new("viridis",
    [
        Rgb.Parse("#440154"), Rgb.Parse("#48186a"), Rgb.Parse("#472d7b"), Rgb.Parse("#424086"),
        Rgb.Parse("#3b528b"), Rgb.Parse("#33638d"), Rgb.Parse("#2c728e"), Rgb.Parse("#26828e"),
        Rgb.Parse("#21918c"), Rgb.Parse("#1fa088"), Rgb.Parse("#28ae80"), Rgb.Parse("#3fbc73"),
        Rgb.Parse("#5ec962"), Rgb.Parse("#84d44b"), Rgb.Parse("#addc30"), Rgb.Parse("#d8e219"),
        Rgb.Parse("#fde725"),
    ], Rgb.Parse("#eeeeee"));

    /// <summary>The colour of <paramref name="t"/> in [0, 1] (clamped; NaN gives <see cref="Missing"/>).</summary>
    public Rgb Map(double t)
    {
        if (double.IsNaN(t))
            return Missing;
        t = Math.Clamp(t, 0.0, 1.0);
        var position = t * (_anchors.Length - 1);
        var i = Math.Min((int)position, _anchors.Length - 2);
        return _anchors[i].Blend(_anchors[i + 1], position - i);
    }

    /// <summary>The colour of <paramref name="value"/> on the range [<paramref name="min"/>, <paramref name="max"/>] (a flat range maps to the middle).</summary>
    public Rgb Map(double value, double min, double max) => Map(Normalize(value, min, max));

    /// <summary><c>(value − min)/(max − min)</c>; 0.5 when the range is empty; NaN stays NaN.</summary>
    public static double Normalize(double value, double min, double max)
    {
        if (double.IsNaN(value))
            return double.NaN;
        var span = max - min;
        return span > 0 && double.IsFinite(span) ? (value - min) / span : 0.5;
    }
}

namespace Micar.Reports.Plotting;

/// <summary>Categorical colours for series and bar groups.</summary>
public static class Palette
{
    /// <summary>The ten colours of matplotlib's <c>tab10</c>, a common, well separated categorical palette.</summary>
    public static IReadOnlyList<Rgb> Category10 { get; } =
    [
        Rgb.Parse("#1f77b4"), Rgb.Parse("#ff7f0e"), Rgb.Parse("#2ca02c"), Rgb.Parse("#d62728"), Rgb.Parse("#9467bd"),
        Rgb.Parse("#8c564b"), Rgb.Parse("#e377c2"), Rgb.Parse("#7f7f7f"), Rgb.Parse("#bcbd22"), Rgb.Parse("#17becf"),
    ];

    /// <summary>The colour of series <paramref name="index"/> (cycling after ten).</summary>
    public static Rgb Series(int index) => Category10[((index % Category10.Count) + Category10.Count) % Category10.Count];
}

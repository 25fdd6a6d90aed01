namespace Micar.Reports.Plotting;

/// <summary>The strip of a colour bar: a colormap drawn as <see cref="Stripes"/> bands with an outline, low end at the bottom (vertical) or left (horizontal).</summary>
internal static class ColorRamp
{
    public const int Stripes = 64;

    public static void Draw(SvgBuilder svg, Colormap colormap, double x, double y, double width, double height, bool vertical)
    {
        svg.OpenGroup("shape-rendering=\"crispEdges\"");
        for (var k = 0; k < Stripes; k++)
        {
            var colour = colormap.Map((k + 0.5) / Stripes).ToHex();
            if (vertical)
                svg.Rect(x, y + height - (k + 1) * height / Stripes, width, height / Stripes + 0.5, colour);
            else
                svg.Rect(x + k * width / Stripes, y, width / Stripes + 0.5, height, colour);
        }
        svg.CloseGroup();
        svg.Rect(x, y, width, height, "none", ChartFrame.AxisColor);
    }
}

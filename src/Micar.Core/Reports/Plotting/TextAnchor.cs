namespace Micar.Reports.Plotting;

/// <summary>Which point of a text line its x coordinate names.</summary>
internal enum TextAnchor
{
    Start,
    Middle,
    End,
}

namespace Micar.Data.Synthetic;

/// <summary>
/// One finding of a synthetic chest CT slice (or one recovered from report text).
/// Its compact code is <c>type:side:zone:depth:size:margin</c>, plus <c>:air</c> for a consolidation with an air
/// bronchogram, e.g. <c>ggo:left:lower:subpleural:large:ill</c> or <c>effusion:right:na:na:small:na</c>;
/// <c>?</c> stands for an attribute the text did not state.
/// </summary>
/// <param name="Type">Kind of finding.</param>
/// <param name="Side">Patient's side.</param>
/// <param name="Zone">Third of the lung (<see cref="LungZone.NotApplicable"/> for effusion).</param>
/// <param name="Depth">Subpleural or central (<see cref="LesionDepth.NotApplicable"/> for effusion).</param>
/// <param name="Size">Relative size.</param>
/// <param name="Margin">Margin (<see cref="LesionMargin.NotApplicable"/> for effusion).</param>
/// <param name="AirBronchogram">Consolidation only: air-filled bronchi are visible inside it.</param>
public sealed record Finding(
    FindingType Type,
    LungSide Side,
    LungZone Zone,
    LesionDepth Depth,
    LesionSize Size,
    LesionMargin Margin,
    bool AirBronchogram = false) : IComparable<Finding>
{
    /// <summary>The compact code, e.g. <c>nodule:right:upper:central:small:well</c>.</summary>
    public string ToCode()
    {
        var code = string.Join(':', TypeCode(Type), SideCode(Side), ZoneCode(Zone), DepthCode(Depth), SizeCode(Size), MarginCode(Margin));
        return AirBronchogram ? code + ":air" : code;
    }

    /// <inheritdoc/>
    public override string ToString() => ToCode();

    /// <summary>Parses a code written by <see cref="ToCode"/>.</summary>
    /// <exception cref="FormatException">The code is malformed; the message names the field and the text.</exception>
    public static Finding Parse(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        var parts = code.Split(':');
        if (parts.Length is not (6 or 7))
        {
            throw new FormatException($"Finding code '{code}': expected 6 or 7 ':'-separated fields, got {parts.Length}.");
        }

        var air = false;
        if (parts.Length == 7)
        {
            air = parts[6] == "air"
                ? true
                : throw new FormatException($"Finding code '{code}': field 7 must be 'air', got '{parts[6]}'.");
        }

        return new Finding(
            ParseField(code, "type", parts[0], TypeCode, Enum.GetValues<FindingType>()),
            ParseField(code, "side", parts[1], SideCode, Enum.GetValues<LungSide>()),
            ParseField(code, "zone", parts[2], ZoneCode, Enum.GetValues<LungZone>()),
            ParseField(code, "depth", parts[3], DepthCode, Enum.GetValues<LesionDepth>()),
            ParseField(code, "size", parts[4], SizeCode, Enum.GetValues<LesionSize>()),
            ParseField(code, "margin", parts[5], MarginCode, Enum.GetValues<LesionMargin>()),
            air);
    }

    /// <summary>Canonical order: side, zone, type, depth, size, margin, air (the order reports describe findings in).</summary>
    public int CompareTo(Finding? other)
    {
        if (other is null)
        {
            return 1;
        }

        var c = Side.CompareTo(other.Side);
        if (c == 0) c = Zone.CompareTo(other.Zone);
        if (c == 0) c = Type.CompareTo(other.Type);
        if (c == 0) c = Depth.CompareTo(other.Depth);
        if (c == 0) c = Size.CompareTo(other.Size);
        if (c == 0) c = Margin.CompareTo(other.Margin);
        if (c == 0) c = AirBronchogram.CompareTo(other.AirBronchogram);
        return c;
    }

    /// <summary>Code of a finding type: <c>ggo</c>, <c>consolidation</c>, <c>nodule</c>, <c>effusion</c>, <c>cavity</c>.</summary>
    public static string TypeCode(FindingType type) => type switch
    {
        FindingType.GroundGlass => "ggo",
        FindingType.Consolidation => "consolidation",
        FindingType.Nodule => "nodule",
        FindingType.Effusion => "effusion",
        FindingType.Cavity => "cavity",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    private static string SideCode(LungSide side) => side switch
    {
        LungSide.Unknown => "?",
        LungSide.Right => "right",
        LungSide.Left => "left",
        _ => throw new ArgumentOutOfRangeException(nameof(side), side, null),
    };

    private static string ZoneCode(LungZone zone) => zone switch
    {
        LungZone.Unknown => "?",
        LungZone.NotApplicable => "na",
        LungZone.Upper => "upper",
        LungZone.Middle => "middle",
        LungZone.Lower => "lower",
        _ => throw new ArgumentOutOfRangeException(nameof(zone), zone, null),
    };

    private static string DepthCode(LesionDepth depth) => depth switch
    {
        LesionDepth.Unknown => "?",
        LesionDepth.NotApplicable => "na",
        LesionDepth.Subpleural => "subpleural",
        LesionDepth.Central => "central",
        _ => throw new ArgumentOutOfRangeException(nameof(depth), depth, null),
    };

    private static string SizeCode(LesionSize size) => size switch
    {
        LesionSize.Unknown => "?",
        LesionSize.Small => "small",
        LesionSize.Medium => "medium",
        LesionSize.Large => "large",
        _ => throw new ArgumentOutOfRangeException(nameof(size), size, null),
    };

    private static string MarginCode(LesionMargin margin) => margin switch
    {
        LesionMargin.Unknown => "?",
        LesionMargin.NotApplicable => "na",
        LesionMargin.WellDefined => "well",
        LesionMargin.IllDefined => "ill",
        _ => throw new ArgumentOutOfRangeException(nameof(margin), margin, null),
    };

    private static T ParseField<T>(string code, string field, string text, Func<T, string> format, T[] values)
        where T : struct, Enum
    {
        foreach (var value in values)
        {
            if (format(value) == text)
            {
                return value;
            }
        }

        var allowed = string.Join(", ", values.Select(format));
        throw new FormatException($"Finding code '{code}': {field} '{text}' is not one of {allowed}.");
    }
}

using System.Text;

namespace Micar.Data.Synthetic;

/// <summary>
/// Writes the report of a finding set as a chest radiograph report, with a vocabulary of its own (opacity, zone,
/// silhouette, costophrenic angle, …) beside the CT one of <see cref="ReportGrammar"/>: lower case, tokens separated by
/// single spaces, <c>,</c> and <c>.</c> as tokens. A function of the findings alone.
/// </summary>
/// <remarks>Sentence order: the silhouette; one sentence per lung lesion (in the finding set's order); a statement for
/// each lung without lesions; one sentence per effusion, then a statement for the pleura without effusion. Lesion:
/// <c>[small|large] (peripheral|perihilar) TYPE projecting over the (right|left) (upper|mid|lower) zone , with (well|ill)
/// defined borders [and air bronchograms] .</c> with TYPE <c>patchy opacity</c> (ground glass), <c>airspace
/// consolidation</c>, <c>nodular opacity</c>, <c>cavitary lesion</c>. Effusion: <c>[small|large] (right|left) pleural
/// effusion blunting the costophrenic angle .</c></remarks>
public static class RadiographGrammar
{
    /// <summary>Writes the report for <paramref name="findings"/>.</summary>
    public static string Write(FindingSet findings)
    {
        ArgumentNullException.ThrowIfNull(findings);
        var text = new StringBuilder(256);
        Sentence(text, "the cardiomediastinal silhouette is within normal limits");
        var lesions = findings.Where(f => f.Type != FindingType.Effusion).ToList();
        foreach (var f in lesions) Sentence(text, Lesion(f));
        var right = lesions.Any(f => f.Side == LungSide.Right);
        var left = lesions.Any(f => f.Side == LungSide.Left);
        if (!right && !left) Sentence(text, "the lungs are clear");
        else if (!right) Sentence(text, "the right lung is clear");
        else if (!left) Sentence(text, "the left lung is clear");
        var effusions = findings.Where(f => f.Type == FindingType.Effusion).ToList();
        foreach (var e in effusions)
            Sentence(text, $"{Size(e.Size)}{Side(e.Side)} pleural effusion blunting the costophrenic angle");
        var rightEffusion = effusions.Any(f => f.Side == LungSide.Right);
        var leftEffusion = effusions.Any(f => f.Side == LungSide.Left);
        if (!rightEffusion && !leftEffusion) Sentence(text, "no pleural effusion");
        else if (!rightEffusion) Sentence(text, "no right pleural effusion");
        else if (!leftEffusion) Sentence(text, "no left pleural effusion");
        return text.ToString();
    }

    static string Lesion(Finding f)
    {
        var depth = f.Depth switch
        {
            LesionDepth.Subpleural => "peripheral",
            LesionDepth.Central => "perihilar",
            _ => throw new ArgumentException($"Report: lesion {f.ToCode()} needs a depth (subpleural or central).", nameof(f)),
        };
        var type = f.Type switch
        {
            FindingType.GroundGlass => "patchy opacity",
            FindingType.Consolidation => "airspace consolidation",
            FindingType.Nodule => "nodular opacity",
            FindingType.Cavity => "cavitary lesion",
            _ => throw new ArgumentException($"Report: {f.ToCode()} is not a lung lesion.", nameof(f)),
        };
        var zone = f.Zone switch
        {
            LungZone.Upper => "upper",
            LungZone.Middle => "mid",
            LungZone.Lower => "lower",
            _ => throw new ArgumentException($"Report: lesion {f.ToCode()} needs a zone.", nameof(f)),
        };
        var margin = f.Margin switch
        {
            LesionMargin.WellDefined => "well",
            LesionMargin.IllDefined => "ill",
            _ => throw new ArgumentException($"Report: lesion {f.ToCode()} needs a margin (well or ill).", nameof(f)),
        };
        var air = f.AirBronchogram ? " and air bronchograms" : string.Empty;
        return $"{Size(f.Size)}{depth} {type} projecting over the {Side(f.Side)} {zone} zone , with {margin} defined borders{air}";
    }

    static string Size(LesionSize size) => size switch
    {
        LesionSize.Small => "small ",
        LesionSize.Medium => string.Empty,
        LesionSize.Large => "large ",
        _ => throw new ArgumentException($"Report: size {size} cannot be written.", nameof(size)),
    };

    static string Side(LungSide side) => side switch
    {
        LungSide.Right => "right",
        LungSide.Left => "left",
        _ => throw new ArgumentException($"Report: side {side} cannot be written.", nameof(side)),
    };

    static void Sentence(StringBuilder text, string sentence)
    {
        if (text.Length > 0) text.Append(' ');
        text.Append(sentence).Append(" .");
    }
}

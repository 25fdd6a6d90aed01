using System.Text;

namespace Micar.Data.Synthetic;

/// <summary>
/// Writes the report of a finding set in the style of cleaned COVCTR reports: lower case, tokens separated by
/// single spaces, <c>,</c> and <c>.</c> as tokens, ending with <c> .</c>, and only words of the COVCTR
/// vocabulary. The text is a function of the findings alone, so everything in it must be read off the image.
/// </summary>
/// <remarks>
/// <para>Sentence order: thorax; one sentence per lung lesion (patient's right lung first, then upper → lower);
/// a statement for each lung without lesions; mediastinum; one sentence per effusion, then a statement for the
/// pleura without effusion.</para>
/// <para>Lesion sentence: <c>[small|large] (subpleural|hilar) TYPE in the (right|left) LOBE , with
/// (clear|blurred) margin [and air bronchial sign] .</c> where TYPE is <c>ground glass shadow</c>,
/// <c>highdensity shadow</c> (consolidation), <c>nodule</c> or <c>cavity</c>, and LOBE is <c>upper lobe</c>,
/// <c>middle lobe</c> (right) / <c>lingual segment</c> (left), <c>lower lobe</c>. Effusion:
/// <c>[small|large] arcshaped liquid density in the posterior (right|left) pleura .</c></para>
/// <para>Substitutes for words the vocabulary lacks: consolidation → "highdensity shadow", effusion →
/// "arcshaped liquid density", central → "hilar", air bronchogram → "air bronchial sign", medium → no size word.</para>
/// <para>The longest possible report (three large consolidations with air bronchograms in one lung) has 77
/// tokens, within the 78 that COVCTR's text length of 80 leaves after &lt;sos&gt; and &lt;eos&gt;.</para>
/// </remarks>
public static class ReportGrammar
{
    /// <summary>Writes the report for <paramref name="findings"/>.</summary>
    public static string Write(FindingSet findings)
    {
        ArgumentNullException.ThrowIfNull(findings);
        var text = new StringBuilder(256);
        Sentence(text, "the thorax was symmetrical");

        var lesions = findings.Where(f => f.Type != FindingType.Effusion).ToList();
        foreach (var lesion in lesions)
        {
            Sentence(text, LesionSentence(lesion));
        }

        var right = lesions.Any(f => f.Side == LungSide.Right);
        var left = lesions.Any(f => f.Side == LungSide.Left);
        if (!right && !left)
        {
            Sentence(text, "both lungs were clear");
        }
        else if (!right)
        {
            Sentence(text, "the right lung was clear");
        }
        else if (!left)
        {
            Sentence(text, "the left lung was clear");
        }

        Sentence(text, "the mediastinum was centered");

        var effusions = findings.Where(f => f.Type == FindingType.Effusion).ToList();
        foreach (var effusion in effusions)
        {
            Sentence(text, $"{SizeWord(effusion.Size)}arcshaped liquid density in the posterior {SideWord(effusion.Side)} pleura");
        }

        var rightEffusion = effusions.Any(f => f.Side == LungSide.Right);
        var leftEffusion = effusions.Any(f => f.Side == LungSide.Left);
        if (!rightEffusion && !leftEffusion)
        {
            Sentence(text, "no liquid density in the pleura");
        }
        else if (!rightEffusion)
        {
            Sentence(text, "no liquid density in the right pleura");
        }
        else if (!leftEffusion)
        {
            Sentence(text, "no liquid density in the left pleura");
        }

        return text.ToString();
    }

    private static string LesionSentence(Finding f)
    {
        var depth = f.Depth switch
        {
            LesionDepth.Subpleural => "subpleural",
            LesionDepth.Central => "hilar",
            _ => throw new ArgumentException($"Report: lesion {f.ToCode()} needs a depth (subpleural or central).", nameof(f)),
        };
        var type = f.Type switch
        {
            FindingType.GroundGlass => "ground glass shadow",
            FindingType.Consolidation => "highdensity shadow",
            FindingType.Nodule => "nodule",
            FindingType.Cavity => "cavity",
            _ => throw new ArgumentException($"Report: {f.ToCode()} is not a lung lesion.", nameof(f)),
        };
        var lobe = (f.Side, f.Zone) switch
        {
            (_, LungZone.Upper) => "upper lobe",
            (LungSide.Right, LungZone.Middle) => "middle lobe",
            (LungSide.Left, LungZone.Middle) => "lingual segment",
            (_, LungZone.Lower) => "lower lobe",
            _ => throw new ArgumentException($"Report: lesion {f.ToCode()} needs a zone.", nameof(f)),
        };
        var margin = f.Margin switch
        {
            LesionMargin.WellDefined => "clear",
            LesionMargin.IllDefined => "blurred",
            _ => throw new ArgumentException($"Report: lesion {f.ToCode()} needs a margin (well or ill).", nameof(f)),
        };
        var air = f.AirBronchogram ? " and air bronchial sign" : string.Empty;
        return $"{SizeWord(f.Size)}{depth} {type} in the {SideWord(f.Side)} {lobe} , with {margin} margin{air}";
    }

    private static string SizeWord(LesionSize size) => size switch
    {
        LesionSize.Small => "small ",
        LesionSize.Medium => string.Empty,
        LesionSize.Large => "large ",
        _ => throw new ArgumentException($"Report: size {size} cannot be written.", nameof(size)),
    };

    private static string SideWord(LungSide side) => side switch
    {
        LungSide.Right => "right",
        LungSide.Left => "left",
        _ => throw new ArgumentException($"Report: side {side} cannot be written.", nameof(side)),
    };

    private static void Sentence(StringBuilder text, string sentence)
    {
        if (text.Length > 0)
        {
            text.Append(' ');
        }

        text.Append(sentence).Append(" .");
    }
}

namespace Micar.Data.Synthetic;

/// <summary>
/// Recovers the finding set from report text — the generator's own reports or a model's output in the same
/// style. It is keyword based and tolerant: missing punctuation, run-on sentences, dropped or extra words, and
/// a few synonyms from the COVCTR vocabulary are handled.
/// </summary>
/// <remarks>
/// <para>Each sentence (split at <c>.</c>) is searched for finding anchors: "ground glass"/"glassy" (ground
/// glass), "highdensity"/"dense"/"solid" (consolidation), "nodule"/"nodules"/"nodular"/"mass" (nodule),
/// "cavity"/"cavities" but not "pleural cavity" (cavity), "liquid"/"arcshaped"/"arcuate"/"gasfluid" (effusion;
/// not when "pericardial"). A sentence holding several anchors is cut before each one's leading modifiers.
/// A segment with "no", "not" or "without" before its anchor is a negative statement and yields nothing.</para>
/// <para>Attributes of a segment are read from the anchor outwards — first the anchor and the words after it,
/// then the words before it, nearest first — so a run-on text's later sentences do not leak into a finding.
/// Side and zone: the first location word found, plus any joined to it by "and"; "both"/"bilateral" mean both
/// sides, "lingual" (also "upper … lingual") the left middle zone. Depth: "subpleural"/"under the pleura" or
/// "hilar"/"hilum". Size: "small", or "large"/"larger"/"mass"; otherwise medium. Margin: "clear" (well) or
/// "blurred"/"unclear"/"fuzzy"/"indistinct"/"poorly" (ill). Air bronchogram: "air", for a consolidation only.
/// Unstated attributes are <c>Unknown</c>; effusion has no zone, depth or margin.</para>
/// </remarks>
public static class FindingExtractor
{
    private static readonly HashSet<string> Negations = ["no", "not", "without"];

    private static readonly HashSet<string> Modifiers =
    [
        "a", "an", "small", "large", "larger", "subpleural", "hilar", "patchy", "round", "roundlike", "multiple",
        "some", "local", "localized", "mild", "faint", "diffuse", "lamellar", "nodular", "dense", "solid",
        "highdensity", "irregular", "annular", "two", "posterior", "dorsal",
    ];

    private static readonly HashSet<string> IllMarginWords = ["blurred", "unclear", "fuzzy", "indistinct", "poorly"];

    /// <summary>Extracts the findings stated in <paramref name="report"/> (empty for a normal report).</summary>
    public static FindingSet Extract(string report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var tokens = Tokenize(report);
        var findings = new List<Finding>();
        var start = 0;
        for (var i = 0; i <= tokens.Count; i++)
        {
            if (i == tokens.Count || tokens[i] == ".")
            {
                ExtractSentence(tokens, start, i, findings);
                start = i + 1;
            }
        }

        return new FindingSet(findings);
    }

    private static List<string> Tokenize(string report)
    {
        var spaced = report.ToLowerInvariant().Replace(",", " , ").Replace(".", " . ").Replace(";", " , ");
        return [.. spaced.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)];
    }

    private readonly record struct Anchor(FindingType Type, int Start, int End);

    private static void ExtractSentence(List<string> tokens, int from, int to, List<Finding> findings)
    {
        var anchors = FindAnchors(tokens, from, to);
        for (var a = 0; a < anchors.Count; a++)
        {
            var segStart = a == 0 ? from : SegmentStart(tokens, anchors[a - 1].End, anchors[a].Start);
            var segEnd = a + 1 < anchors.Count ? SegmentStart(tokens, anchors[a].End, anchors[a + 1].Start) : to;
            var anchor = anchors[a];
            if (IsNegated(tokens, segStart, anchor.Start))
            {
                continue;
            }

            AddFindings(tokens, segStart, segEnd, anchor, findings);
        }
    }

    /// <summary>Where the segment of an anchor begins: walk back over its leading modifiers, not past the previous anchor.</summary>
    private static int SegmentStart(List<string> tokens, int previousEnd, int anchorStart)
    {
        var s = anchorStart;
        while (s - 1 >= previousEnd && (Modifiers.Contains(tokens[s - 1]) || Negations.Contains(tokens[s - 1])))
        {
            s--;
        }

        return s;
    }

    private static bool IsNegated(List<string> tokens, int segStart, int anchorStart)
    {
        for (var i = segStart; i < anchorStart; i++)
        {
            if (Negations.Contains(tokens[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static List<Anchor> FindAnchors(List<string> tokens, int from, int to)
    {
        var pericardial = false;
        for (var i = from; i < to; i++)
        {
            pericardial |= tokens[i] == "pericardial";
        }

        var raw = new List<Anchor>();
        for (var i = from; i < to; i++)
        {
            var t = tokens[i];
            var next = i + 1 < to ? tokens[i + 1] : string.Empty;
            var previous = i > from ? tokens[i - 1] : string.Empty;
            switch (t)
            {
                case "ground" when next is "glass" or "glassy":
                    raw.Add(new Anchor(FindingType.GroundGlass, i, i + 2));
                    i++;
                    break;
                case "glass" or "glassy":
                    raw.Add(new Anchor(FindingType.GroundGlass, i, i + 1));
                    break;
                case "highdensity":
                    raw.Add(new Anchor(FindingType.Consolidation, i, i + 1));
                    break;
                case "dense" or "solid" when !LesionNounFollows(tokens, i + 1, to):
                    raw.Add(new Anchor(FindingType.Consolidation, i, i + 1));
                    break;
                case "nodular" when LesionNounFollows(tokens, i + 1, to):
                    break;
                case "nodule" or "nodules" or "nodular" or "mass":
                    raw.Add(new Anchor(FindingType.Nodule, i, i + 1));
                    break;
                case "cavity" or "cavities" when previous is not ("pleural" or "thoracic"):
                    raw.Add(new Anchor(FindingType.Cavity, i, i + 1));
                    break;
                case "liquid" or "arcshaped" or "arcuate" or "gasfluid" when !pericardial:
                    raw.Add(new Anchor(FindingType.Effusion, i, i + 1));
                    break;
            }
        }

        // Neighbouring anchors of one type ("arcshaped liquid", "highdensity dense") describe one finding.
        var merged = new List<Anchor>(raw.Count);
        foreach (var anchor in raw)
        {
            if (merged.Count > 0)
            {
                var last = merged[^1];
                if (last.Type == anchor.Type && anchor.Start - last.End <= 2 && !tokens.Skip(last.End).Take(anchor.Start - last.End).Contains(","))
                {
                    merged[^1] = last with { End = anchor.End };
                    continue;
                }
            }

            merged.Add(anchor);
        }

        return merged;
    }

    /// <summary>True when one of the next two tokens names a lesion that a preceding adjective would describe.</summary>
    private static bool LesionNounFollows(List<string> tokens, int from, int to)
    {
        for (var i = from; i < Math.Min(to, from + 2); i++)
        {
            if (tokens[i] is "nodule" or "nodules" or "mass" or "cavity" or "cavities" or "ground" or "glass" or "glassy")
            {
                return true;
            }
        }

        return false;
    }

    private static void AddFindings(List<string> tokens, int segStart, int segEnd, Anchor anchor, List<Finding> findings)
    {
        var sides = Nearest(tokens, segStart, segEnd, anchor, SideOf);
        if (sides.Count == 0)
        {
            sides.Add(LungSide.Unknown);
        }

        var size = LesionSize.Medium;
        var depth = LesionDepth.Unknown;
        var margin = LesionMargin.Unknown;
        var air = false;
        foreach (var i in Outward(segStart, segEnd, anchor))
        {
            var t = tokens[i];
            if (size == LesionSize.Medium && t == "small")
            {
                size = LesionSize.Small;
            }
            else if (size == LesionSize.Medium && t is "large" or "larger" or "mass")
            {
                size = LesionSize.Large;
            }
            else if (depth == LesionDepth.Unknown && (t == "subpleural" || (t is "pleura" or "pleural" && i > segStart && tokens[i - 1] is "the" or "under")))
            {
                depth = LesionDepth.Subpleural;
            }
            else if (depth == LesionDepth.Unknown && t is "hilar" or "hilum")
            {
                depth = LesionDepth.Central;
            }
            else if (margin == LesionMargin.Unknown && t == "clear")
            {
                margin = LesionMargin.WellDefined;
            }
            else if (margin == LesionMargin.Unknown && IllMarginWords.Contains(t))
            {
                margin = LesionMargin.IllDefined;
            }
            else if (t == "air")
            {
                air = true;
            }
        }

        if (anchor.Type == FindingType.Effusion)
        {
            foreach (var side in sides)
            {
                findings.Add(new Finding(FindingType.Effusion, side, LungZone.NotApplicable, LesionDepth.NotApplicable, size, LesionMargin.NotApplicable));
            }

            return;
        }

        var zones = Nearest(tokens, segStart, segEnd, anchor, ZoneOf);
        if (zones.Count == 0)
        {
            zones.Add(LungZone.Unknown);
        }

        air &= anchor.Type == FindingType.Consolidation;
        foreach (var side in sides)
        {
            foreach (var zone in zones)
            {
                findings.Add(new Finding(anchor.Type, side, zone, depth, size, margin, air));
            }
        }
    }

    /// <summary>Segment positions: first the anchor's own tokens and everything after it, then the words before it, nearest first.</summary>
    private static IEnumerable<int> Outward(int segStart, int segEnd, Anchor anchor)
    {
        for (var i = anchor.Start; i < segEnd; i++)
        {
            yield return i;
        }

        for (var i = anchor.Start - 1; i >= segStart; i--)
        {
            yield return i;
        }
    }

    /// <summary>
    /// The values named by the first location word after the anchor (else the nearest one before it), together
    /// with those joined to it by "and" ("right and left", "upper and lower"). A run-on text's later sentences
    /// therefore do not leak into a finding.
    /// </summary>
    private static List<T> Nearest<T>(List<string> tokens, int segStart, int segEnd, Anchor anchor, Func<List<string>, int, int, T[]> read)
    {
        foreach (var i in Outward(segStart, segEnd, anchor))
        {
            var values = read(tokens, i, segEnd);
            if (values.Length == 0)
            {
                continue;
            }

            var result = new List<T>(values);
            var j = i + 1;
            while (j + 1 < segEnd && tokens[j] == "and")
            {
                var more = read(tokens, j + 1, segEnd);
                if (more.Length == 0)
                {
                    break;
                }

                result.AddRange(more.Where(v => !result.Contains(v)));
                j += 2;
            }

            return result;
        }

        return [];
    }

    private static LungSide[] SideOf(List<string> tokens, int i, int end) => tokens[i] switch
    {
        "right" => [LungSide.Right],
        "left" => [LungSide.Left],
        "both" or "bilateral" or "bilaterally" => [LungSide.Right, LungSide.Left],
        _ => [],
    };

    /// <summary>Zone named at <paramref name="i"/>; "lingual" (the lingula of the left upper lobe) is the middle zone,
    /// also when it follows "upper" within a few words ("upper lobe lingual segment").</summary>
    private static LungZone[] ZoneOf(List<string> tokens, int i, int end) => tokens[i] switch
    {
        "upper" when Enumerable.Range(i + 1, Math.Max(0, Math.Min(3, end - i - 1))).Any(k => tokens[k] == "lingual") => [LungZone.Middle],
        "upper" => [LungZone.Upper],
        "middle" or "lingual" => [LungZone.Middle],
        "lower" => [LungZone.Lower],
        _ => [],
    };
}

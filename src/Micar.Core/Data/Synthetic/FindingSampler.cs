namespace Micar.Data.Synthetic;

/// <summary>
/// Draws the finding set of one synthetic study. A quarter of studies are normal; the others have one (50 %),
/// two (30 %) or three (20 %) findings. Types: ground glass 30 %, consolidation 20 %, nodule 25 %, cavity 15 %,
/// effusion 10 %. Side, zone, depth, size and margin are uniform, as is the air bronchogram of a consolidation,
/// so none of them can be guessed from the type alone.
/// </summary>
/// <remarks>
/// Layout rules, so findings never overlap in the image: each lung lesion has its own (side, zone) slot; at most
/// one effusion per side; an effusion fills the posterior third, so its side has no lower-zone lesion.
/// </remarks>
public static class FindingSampler
{
    /// <summary>Probability of a normal study.</summary>
    public const double NormalProbability = 0.25;

    /// <summary>Largest number of findings in one study.</summary>
    public const int MaxFindings = 3;

    private static readonly double[] CountWeights = [0.5, 0.3, 0.2];

    // Indexed by FindingType: GroundGlass, Consolidation, Nodule, Effusion, Cavity.
    private static readonly double[] TypeWeights = [0.30, 0.20, 0.25, 0.10, 0.15];

    private static readonly LungZone[] Zones = [LungZone.Upper, LungZone.Middle, LungZone.Lower];
    private static readonly LungSide[] Sides = [LungSide.Right, LungSide.Left];

    /// <summary>Draws a finding set from <paramref name="random"/>.</summary>
    public static FindingSet Sample(SynthRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (random.Chance(NormalProbability))
        {
            return FindingSet.Empty;
        }

        var count = random.Pick(CountWeights) + 1;
        var findings = new List<Finding>(count);
        while (findings.Count < count)
        {
            var type = (FindingType)random.Pick(TypeWeights);
            var finding = type == FindingType.Effusion ? TryEffusion(random, findings) : TryLesion(random, type, findings);
            if (finding is not null)
            {
                findings.Add(finding);
            }
        }

        return new FindingSet(findings);
    }

    private static Finding? TryEffusion(SynthRandom random, List<Finding> taken)
    {
        var free = Sides.Where(s => !taken.Any(f => f.Side == s && (f.Type == FindingType.Effusion || f.Zone == LungZone.Lower))).ToArray();
        if (free.Length == 0)
        {
            return null;
        }

        var side = free[random.Next(free.Length)];
        var size = (LesionSize)(random.Next(3) + (int)LesionSize.Small);
        return new Finding(FindingType.Effusion, side, LungZone.NotApplicable, LesionDepth.NotApplicable, size, LesionMargin.NotApplicable);
    }

    private static Finding? TryLesion(SynthRandom random, FindingType type, List<Finding> taken)
    {
        var free = new List<(LungSide Side, LungZone Zone)>(6);
        foreach (var side in Sides)
        {
            var effusion = taken.Any(f => f.Side == side && f.Type == FindingType.Effusion);
            foreach (var zone in Zones)
            {
                if (!(effusion && zone == LungZone.Lower) && !taken.Any(f => f.Side == side && f.Zone == zone))
                {
                    free.Add((side, zone));
                }
            }
        }

        if (free.Count == 0)
        {
            return null;
        }

        var (s, z) = free[random.Next(free.Count)];
        var depth = random.Chance(0.5) ? LesionDepth.Subpleural : LesionDepth.Central;
        var size = (LesionSize)(random.Next(3) + (int)LesionSize.Small);
        var margin = random.Chance(0.5) ? LesionMargin.WellDefined : LesionMargin.IllDefined;
        var air = type == FindingType.Consolidation && random.Chance(0.5);
        return new Finding(type, s, z, depth, size, margin, air);
    }
}

namespace Micar.Data.Synthetic;

/// <summary>
/// Draws one finding into a lung of a <see cref="SliceCanvas"/>. Placement: the zone picks the anterior,
/// middle or posterior third of the lung's height; a subpleural lesion touches the lateral chest wall, a central
/// one lies against the mediastinal border near the hilum. Everything is clipped to the lung.
/// </summary>
/// <remarks>
/// Appearance (lung-window grey levels): ground glass is a hazy, partly transparent blob (vessels stay visible);
/// consolidation a near-opaque dense blob, optionally crossed by dark branching air bronchi; a nodule a dense
/// disc; a cavity a dense ring around a black air centre; an effusion a homogeneous crescent along the posterior
/// chest wall. Well-defined margins are sharp; ill-defined ones ramp over about a third of the radius, with
/// lumpier outlines and, for nodules, spicules. Sizes (pixels at 224 px, scaled with the image) are listed in
/// <see cref="Radius"/>; an effusion's greatest thickness is 10 / 16 / 24 % of the lung's height.
/// </remarks>
internal static class LesionPainter
{
    private const double GroundGlassLevel = 0.5;
    private const double ConsolidationLevel = 0.74;
    private const double NoduleLevel = 0.8;
    private const double CavityWallLevel = 0.76;
    private const double CavityAirLevel = 0.02;
    private const double BronchusAirLevel = 0.2;
    private const double EffusionLevel = 0.64;

    /// <summary>Paints <paramref name="finding"/> into <paramref name="lung"/>.</summary>
    public static void Paint(SliceCanvas canvas, LungField lung, Finding finding, SynthRandom random)
    {
        switch (finding.Type)
        {
            case FindingType.GroundGlass:
            case FindingType.Consolidation:
                Opacity(canvas, lung, finding, random);
                break;
            case FindingType.Nodule:
                Nodule(canvas, lung, finding, random);
                break;
            case FindingType.Cavity:
                Cavity(canvas, lung, finding, random);
                break;
            case FindingType.Effusion:
                Effusion(canvas, lung, finding);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(finding), finding.Type, "Unknown finding type.");
        }
    }

    /// <summary>
    /// Characteristic radius in pixels at a 224-pixel image: ground glass and consolidation (vertical
    /// half-height) 6.5 / 9 / 12, nodules 3.5 / 5.5 / 8.5, cavities 5.5 / 8 / 11 for small / medium / large.
    /// </summary>
    public static double Radius(FindingType type, LesionSize size, int imageSize)
    {
        var index = size switch
        {
            LesionSize.Small => 0,
            LesionSize.Medium => 1,
            LesionSize.Large => 2,
            _ => throw new ArgumentOutOfRangeException(nameof(size), size, "A drawn finding needs a size."),
        };
        double[] table = type switch
        {
            FindingType.GroundGlass or FindingType.Consolidation => [6.5, 9, 12],
            FindingType.Nodule => [3.5, 5.5, 8.5],
            FindingType.Cavity => [5.5, 8, 11],
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Effusion has no radius."),
        };
        return table[index] * imageSize / 224.0;
    }

    /// <summary>Centre of a lesion of horizontal half-extent <paramref name="extentX"/>, given its zone and depth.</summary>
    private static (double X, double Y) Place(LungField lung, Finding f, double extentX, double wallGap, SynthRandom random)
    {
        var band = lung.Height / 3.0;
        var y = lung.ZoneCentre(f.Zone) + random.Uniform(-0.1, 0.1) * band;
        var (lateral, medial) = lung.RowBorders((int)Math.Round(y));
        var width = Math.Abs(medial - lateral) + 1;
        if (width <= 2 * (extentX + wallGap))
        {
            return ((lateral + medial) / 2.0 + 0.5, y);
        }

        var x = f.Depth switch
        {
            LesionDepth.Subpleural => lateral + 0.5 + lung.Inward * (extentX + wallGap),
            LesionDepth.Central => medial + 0.5 - lung.Inward * (extentX + wallGap),
            _ => throw new ArgumentOutOfRangeException(nameof(f), f.Depth, "A lung lesion needs a depth."),
        };
        return (x, y);
    }

    private static double Bump(double t2) => t2 >= 1 ? 0 : (1 - t2) * (1 - t2);

    private static double SmoothStep(double edge0, double edge1, double x)
    {
        var t = Math.Clamp((x - edge0) / (edge1 - edge0), 0, 1);
        return t * t * (3 - 2 * t);
    }

    /// <summary>Ground glass or consolidation: an irregular blob made of overlapping bumps, thresholded.</summary>
    private static void Opacity(SliceCanvas canvas, LungField lung, Finding f, SynthRandom random)
    {
        var ill = f.Margin == LesionMargin.IllDefined;
        var ry = Math.Min(Radius(f.Type, f.Size, canvas.Size), 0.14 * lung.Height);
        var rx = ry * random.Uniform(1.15, 1.5);
        // The irregular outline reaches a little beyond rx, so the opacity touches the wall (or the mediastinum)
        // and is clipped there by about the same amount at either depth: apparent size follows the size class.
        var (cx, cy) = Place(lung, f, rx * 0.85, 0, random);

        // A bump (1 − t²)² crosses the 0.5 threshold at t ≈ 0.54, so bump radii are 1.7 × the intended extent:
        // the central bump alone reaches ≈ 0.92 rx, the lumps make the outline irregular around rx.
        var lumps = ill ? 7 : 4;
        var bumps = new (double X, double Y, double Rx2, double Ry2, double W)[lumps + 1];
        bumps[0] = (cx, cy, Sq(rx * 1.7), Sq(ry * 1.7), 1.0);
        for (var k = 1; k <= lumps; k++)
        {
            bumps[k] = (cx + random.Uniform(-0.45, 0.45) * rx, cy + random.Uniform(-0.4, 0.4) * ry,
                Sq(rx * random.Uniform(0.6, 1.0)), Sq(ry * random.Uniform(0.6, 1.0)), random.Uniform(0.4, 0.8));
        }

        var soft = ill ? 0.42 : 0.05;
        var texture = new ValueNoise(random, canvas.Size, canvas.Size / 6);
        var ground = f.Type == FindingType.GroundGlass;
        var reach = 1.7;
        var (x0, y0, x1, y1) = canvas.Clip(cx - rx * reach, cy - ry * reach, cx + rx * reach, cy + ry * reach);
        var alphaMap = new Dictionary<int, double>();
        for (var y = y0; y <= y1; y++)
        {
            for (var x = x0; x <= x1; x++)
            {
                var i = y * canvas.Size + x;
                var inLung = canvas.Lung[i];
                if (inLung <= 0)
                {
                    continue;
                }

                double field = 0;
                foreach (var (bx, by, brx2, bry2, w) in bumps)
                {
                    var ddx = x + 0.5 - bx;
                    var ddy = y + 0.5 - by;
                    field += w * Bump(ddx * ddx / brx2 + ddy * ddy / bry2);
                }

                var alpha = SmoothStep(0.5 - soft, 0.5 + soft, field);
                if (alpha <= 0)
                {
                    continue;
                }

                alphaMap[i] = alpha;
                var mottle = texture.At(x + 0.5, y + 0.5);
                if (ground)
                {
                    canvas.Blend(i, GroundGlassLevel + 0.06 * mottle, alpha * 0.65 * inLung);
                }
                else
                {
                    canvas.Blend(i, ConsolidationLevel + 0.025 * mottle, alpha * 0.95 * inLung);
                }
            }
        }

        if (f.AirBronchogram)
        {
            AirBronchogram(canvas, lung, cx, cy, rx, ry, alphaMap, random);
        }
    }

    private static double Sq(double v) => v * v;

    /// <summary>Dark branching tubes inside a consolidation, shown only where it is dense.</summary>
    private static void AirBronchogram(
        SliceCanvas canvas, LungField lung, double cx, double cy, double rx, double ry, Dictionary<int, double> alphaMap, SynthRandom random)
    {
        var s = canvas.Size / 224.0;
        var r = Math.Max(0.6, 0.7 * s);
        var x0 = cx - lung.Inward * rx * 0.85;
        var y0 = cy + random.Uniform(-0.25, 0.25) * ry;
        var x1 = cx + lung.Inward * rx * 0.75;
        var y1 = cy + random.Uniform(-0.3, 0.3) * ry;
        var tubes = new List<CapsuleShape> { new(x0, y0, x1, y1, r * 1.2, r * 0.8) };
        var branches = 1 + random.Next(2);
        for (var b = 0; b < branches; b++)
        {
            var t = random.Uniform(0.25, 0.7);
            var bx = x0 + (x1 - x0) * t;
            var by = y0 + (y1 - y0) * t;
            var dir = b % 2 == 0 ? 1 : -1;
            tubes.Add(new CapsuleShape(bx, by, bx + lung.Inward * rx * random.Uniform(0.2, 0.45), by + dir * ry * random.Uniform(0.4, 0.65), r, r * 0.7));
        }

        foreach (var tube in tubes)
        {
            var (ax0, ay0, ax1, ay1) = canvas.Clip(tube.Left, tube.Top, tube.Right, tube.Bottom);
            for (var y = ay0; y <= ay1; y++)
            {
                for (var x = ax0; x <= ax1; x++)
                {
                    var i = y * canvas.Size + x;
                    if (!alphaMap.TryGetValue(i, out var alpha) || alpha < 0.5)
                    {
                        continue;
                    }

                    var c = tube.Coverage(x + 0.5, y + 0.5);
                    canvas.Blend(i, BronchusAirLevel, c * Math.Clamp((alpha - 0.5) * 2.5, 0, 1));
                }
            }
        }
    }

    /// <summary>A dense disc; ill-defined ones have a soft, lobulated edge and spicules.</summary>
    private static void Nodule(SliceCanvas canvas, LungField lung, Finding f, SynthRandom random)
    {
        var r = Radius(f.Type, f.Size, canvas.Size);
        var ill = f.Margin == LesionMargin.IllDefined;
        var (cx, cy) = Place(lung, f, r * (ill ? 1.3 : 1.0), 1.5, random);
        var phase = random.Uniform(0, 2 * Math.PI);
        var lobes = 3 + random.Next(3);
        Disc(canvas, cx, cy, r, ill, phase, lobes, NoduleLevel);
        if (ill)
        {
            var spicules = 7 + random.Next(5);
            for (var k = 0; k < spicules; k++)
            {
                var angle = random.Uniform(0, 2 * Math.PI);
                var length = r * random.Uniform(1.5, 2.1);
                var spike = new CapsuleShape(
                    cx + Math.Cos(angle) * r * 0.7, cy + Math.Sin(angle) * r * 0.7,
                    cx + Math.Cos(angle) * length, cy + Math.Sin(angle) * length,
                    Math.Max(0.45, 0.55 * canvas.Size / 224.0), 0.25);
                canvas.Paint(spike, NoduleLevel * 0.85, 0.9, canvas.Lung);
            }
        }
    }

    /// <summary>A dense ring around a black air centre (eccentric, with a thick wall).</summary>
    private static void Cavity(SliceCanvas canvas, LungField lung, Finding f, SynthRandom random)
    {
        var r = Radius(f.Type, f.Size, canvas.Size);
        var ill = f.Margin == LesionMargin.IllDefined;
        var (cx, cy) = Place(lung, f, r * (ill ? 1.2 : 1.0), 1.5, random);
        var phase = random.Uniform(0, 2 * Math.PI);
        Disc(canvas, cx, cy, r, ill, phase, 3 + random.Next(3), CavityWallLevel);
        var inner = r * random.Uniform(0.5, 0.62);
        var offX = random.Uniform(-0.12, 0.12) * r;
        var offY = random.Uniform(-0.12, 0.12) * r;
        canvas.Paint(EllipseShape.Circle(cx + offX, cy + offY, inner), CavityAirLevel, 1, canvas.Lung);
    }

    /// <summary>Disc of radius <paramref name="r"/>: sharp and round, or (ill-defined) lobulated with a soft edge.</summary>
    private static void Disc(SliceCanvas canvas, double cx, double cy, double r, bool ill, double phase, int lobes, double level)
    {
        var reach = r * 1.5 + 2;
        var (x0, y0, x1, y1) = canvas.Clip(cx - reach, cy - reach, cx + reach, cy + reach);
        for (var y = y0; y <= y1; y++)
        {
            for (var x = x0; x <= x1; x++)
            {
                var i = y * canvas.Size + x;
                var inLung = canvas.Lung[i];
                if (inLung <= 0)
                {
                    continue;
                }

                var dx = x + 0.5 - cx;
                var dy = y + 0.5 - cy;
                var d = Math.Sqrt(dx * dx + dy * dy);
                double c;
                if (ill)
                {
                    var edge = r * (1 + 0.15 * Math.Sin(lobes * Math.Atan2(dy, dx) + phase));
                    c = SmoothStep(edge + 0.35 * r, edge - 0.35 * r, d);
                }
                else
                {
                    c = Math.Clamp(r - d + 0.5, 0, 1);
                }

                canvas.Blend(i, level, c * inLung);
            }
        }
    }

    /// <summary>Homogeneous crescent filling the posterior part of the lung space, thickest mid-posteriorly
    /// (10 / 16 / 24 % of the lung's height for small / medium / large), thinning to 30 % of that at the sides.</summary>
    private static void Effusion(SliceCanvas canvas, LungField lung, Finding f)
    {
        var fraction = f.Size switch
        {
            LesionSize.Small => 0.1,
            LesionSize.Medium => 0.16,
            LesionSize.Large => 0.24,
            _ => throw new ArgumentOutOfRangeException(nameof(f), f.Size, "An effusion needs a size."),
        };
        var depth = fraction * lung.Height;
        var centre = (lung.Left + lung.Right) / 2.0;
        var half = (lung.Right - lung.Left) / 2.0 + 1;
        for (var x = lung.Left; x <= lung.Right; x++)
        {
            var bottom = lung.ColumnBottom(x);
            if (bottom < 0)
            {
                continue;
            }

            var u = (x + 0.5 - centre) / half;
            var profile = 0.3 + 0.7 * Math.Sqrt(Math.Max(0, 1 - u * u));
            var surface = bottom + 1 - depth * profile;
            for (var y = Math.Max(0, (int)surface - 1); y <= bottom + 1 && y < canvas.Size; y++)
            {
                var i = y * canvas.Size + x;
                var c = Math.Clamp(y + 0.5 - surface + 0.5, 0, 1) * canvas.Lung[i];
                canvas.Blend(i, EffusionLevel, c);
            }
        }
    }
}

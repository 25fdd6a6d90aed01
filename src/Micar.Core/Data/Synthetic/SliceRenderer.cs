namespace Micar.Data.Synthetic;

/// <summary>
/// Renders a synthetic axial chest CT slice, as seen in a lung window, to 8-bit grey pixels: anatomy
/// (<see cref="ChestAnatomy"/>), lung texture and branching vessels, the findings (<see cref="LesionPainter"/>),
/// then mildly correlated noise.
/// </summary>
internal static class SliceRenderer
{
    // Display grey levels (0 = black, 1 = white) of a lung window.
    private const double Air = 0.02;
    private const double Skin = 0.78;
    private const double Fat = 0.56;
    private const double Muscle = 0.75;
    private const double MediastinalFat = 0.56;
    private const double HeartTissue = 0.8;
    private const double AortaBlood = 0.83;
    private const double EsophagusWall = 0.7;
    private const double Cortex = 1.0;
    private const double MarrowBone = 0.88;
    private const double CanalFluid = 0.66;
    private const double LungTissue = 0.12;
    private const double TablePlastic = 0.42;

    /// <summary>
    /// Renders the slice for <paramref name="findings"/>. The anatomy, each finding and the noise draw from
    /// separate streams derived from <paramref name="seed"/>, so the same seed with and without a finding gives
    /// the same patient, and the two images differ only where the finding is.
    /// </summary>
    /// <returns>Row-major grey pixels, <paramref name="size"/>².</returns>
    public static byte[] Render(FindingSet findings, ulong seed, int size)
    {
        var random = new SynthRandom(SynthRandom.Derive(seed, 0, 0));
        var anatomy = ChestAnatomy.Sample(random, size);
        using var canvas = new SliceCanvas(size);
        var texture = new ValueNoise(random, size, 12);
        DrawAnatomy(canvas, anatomy, texture);
        DrawBones(canvas, anatomy);
        DrawVessels(canvas, anatomy, random);

        var right = new LungField(canvas, LungSide.Right, anatomy.MidX);
        var left = new LungField(canvas, LungSide.Left, anatomy.MidX);
        var k = 0UL;
        // Effusions first: lesions of the same side stay visible above them.
        foreach (var finding in findings.OrderBy(f => f.Type == FindingType.Effusion ? 0 : 1))
        {
            var lesionRandom = new SynthRandom(SynthRandom.Derive(seed, 1, k++));
            LesionPainter.Paint(canvas, finding.Side == LungSide.Right ? right : left, finding, lesionRandom);
        }

        return Finish(canvas, new SynthRandom(SynthRandom.Derive(seed, 2, 0)));
    }

    private static void DrawAnatomy(SliceCanvas canvas, ChestAnatomy a, ValueNoise texture)
    {
        // Local copies: the shapes are structs, and reading them through properties per pixel would copy them.
        var body = a.Body;
        var fatOuter = a.FatOuter;
        var muscleOuter = a.MuscleOuter;
        var cavity = a.Cavity;
        var lungSpace = a.LungSpace;
        var heartFat = a.HeartFat;
        var heart = a.Heart;
        var aortaPad = a.AortaPad;
        var aorta = a.Aorta;
        var esophagus = a.Esophagus;
        var vertebraPad = a.VertebraPad;
        var vertebra = a.Vertebra;
        var marrow = a.Marrow;
        var arch = a.Arch;
        var canal = a.Canal;
        var midX = a.MidX;
        var midY = a.MidY;
        var band = a.MediastinumHalfWidth;
        var size = canvas.Size;
        var h = size / 2.0;
        var (tableTop, tableCurve, tableThick) = a.Table;
        var tableFrom = tableTop - tableCurve * h * h - 1;
        var values = canvas.Values;
        var lungs = canvas.Lung;
        var bodies = canvas.Body;
        for (var y = 0; y < size; y++)
        {
            var py = y + 0.5;
            for (var x = 0; x < size; x++)
            {
                var px = x + 0.5;
                var i = y * size + x;
                double value = Air;

                var dx = px - midX;
                if (py > tableFrom && Math.Abs(dx) < 0.92 * h)
                {
                    var top = tableTop - tableCurve * dx * dx;
                    var t = Math.Clamp(py - top + 0.5, 0, 1) * Math.Clamp(top + tableThick - py + 0.5, 0, 1);
                    value += (TablePlastic - value) * t;
                }

                // Inside the thoracic cavity every outer layer covers the pixel fully, so test the cavity first.
                var inCavity = cavity.Coverage(px, py);
                double inBody;
                if (inCavity >= 1)
                {
                    inBody = 1;
                    value = MediastinalFat;
                }
                else
                {
                    inBody = body.Coverage(px, py);
                    if (inBody <= 0)
                    {
                        values[i] = (float)value;
                        continue;
                    }

                    value += (Skin - value) * inBody;
                    var inFat = fatOuter.Coverage(px, py);
                    if (inFat > 0)
                    {
                        value += (Fat - value) * inFat;
                        value += (Muscle - value) * muscleOuter.Coverage(px, py);
                        value += (MediastinalFat - value) * inCavity;
                    }
                }

                bodies[i] = (float)inBody;
                if (inCavity > 0)
                {
                    // Mediastinum: the central band, heart, aorta, oesophagus and the soft tissue around the spine.
                    var excluded = Math.Clamp(band - Math.Abs(dx) + 0.5, 0, 1);
                    var c = heartFat.Coverage(px, py);
                    if (c > 0)
                    {
                        excluded = Math.Max(excluded, c);
                        value += (HeartTissue - value) * heart.Coverage(px, py);
                    }

                    c = aortaPad.Coverage(px, py);
                    if (c > 0)
                    {
                        excluded = Math.Max(excluded, c);
                        value += (AortaBlood - value) * aorta.Coverage(px, py);
                    }

                    c = esophagus.Coverage(px, py);
                    if (c > 0)
                    {
                        excluded = Math.Max(excluded, c);
                        value += (EsophagusWall - value) * c;
                    }

                    excluded = Math.Max(excluded, vertebraPad.Coverage(px, py));
                    if (excluded < 1)
                    {
                        var lung = lungSpace.Coverage(px, py) * (1 - excluded);
                        if (lung > 0)
                        {
                            var dependent = (py - midY) / (0.6 * h);
                            var tissue = LungTissue + 0.03 * dependent + 0.02 * texture.At(px, py);
                            value += (tissue - value) * lung;
                            lungs[i] = (float)lung;
                        }
                    }
                }

                // Thoracic vertebra: body (cortex and marrow), arch and spinal canal.
                var bone = vertebra.Coverage(px, py);
                if (bone > 0)
                {
                    value += (Cortex - value) * bone;
                    value += (MarrowBone - value) * marrow.Coverage(px, py);
                }

                bone = arch.Coverage(px, py);
                if (bone > 0)
                {
                    value += (Cortex - value) * bone;
                    value += (CanalFluid - value) * canal.Coverage(px, py);
                }

                values[i] = (float)value;
            }
        }
    }

    private static void DrawBones(SliceCanvas canvas, ChestAnatomy a)
    {
        foreach (var (x0, y0, x1, y1, r) in a.Processes)
        {
            canvas.Paint(new CapsuleShape(x0, y0, x1, y1, r, r * 0.8), Cortex * 0.97, 1);
        }

        foreach (var rib in a.Ribs)
        {
            canvas.Paint(rib, 0.95, 1);
        }

        canvas.Paint(a.Sternum, 0.93, 1);
    }

    /// <summary>
    /// Pulmonary vessels, drawn only inside the lungs: a few thick trunks leaving each hilum, then short segments
    /// scattered over the lung, oriented roughly away from the hilum and thinner towards the periphery (vessels
    /// cut obliquely by the slice), some forked, plus round cross-sections.
    /// </summary>
    private static void DrawVessels(SliceCanvas canvas, ChestAnatomy a, SynthRandom random)
    {
        var s = canvas.Size / 224.0;
        var reachMax = 0.42 * canvas.Size;
        foreach (var (hilum, outward) in new[] { (a.RightHilum, -1.0), (a.LeftHilum, 1.0) })
        {
            var trunks = 3 + random.Next(3);
            for (var k = 0; k < trunks; k++)
            {
                var angle = (outward > 0 ? 0 : Math.PI) + outward * random.Uniform(-1.1, 1.1);
                var length = random.Uniform(6, 11) * s;
                var x0 = hilum.X + random.Uniform(-3, 3) * s;
                var y0 = hilum.Y + random.Uniform(-9, 9) * s;
                canvas.Paint(
                    new CapsuleShape(x0, y0, x0 + Math.Cos(angle) * length, y0 + Math.Sin(angle) * length,
                        random.Uniform(1.3, 1.9) * s, random.Uniform(0.7, 1.0) * s),
                    random.Uniform(0.55, 0.65), 1, canvas.Lung);
            }

            var placed = 0;
            var wanted = 45 + random.Next(20);
            for (var tries = 0; placed < wanted && tries < wanted * 12; tries++)
            {
                var x = hilum.X + outward * random.Uniform(-0.12, 0.45) * canvas.Size;
                var y = hilum.Y + random.Uniform(-0.4, 0.4) * canvas.Size;
                var ix = (int)x;
                var iy = (int)y;
                if (ix < 0 || iy < 0 || ix >= canvas.Size || iy >= canvas.Size || canvas.Lung[iy * canvas.Size + ix] < 0.9)
                {
                    continue;
                }

                placed++;
                var dx = x - hilum.X;
                var dy = y - hilum.Y;
                var reach = Math.Clamp(Math.Sqrt(dx * dx + dy * dy) / reachMax, 0, 1);
                var radius = (1.25 - 0.85 * reach) * random.Uniform(0.75, 1.15) * s;
                var level = 0.58 - 0.25 * reach + random.Uniform(-0.04, 0.04);
                if (random.Chance(0.5))
                {
                    canvas.Paint(EllipseShape.Circle(x, y, radius * 1.1), level, 1, canvas.Lung);
                    continue;
                }

                var angle = Math.Atan2(dy, dx) + random.Uniform(-0.5, 0.5);
                var length = random.Uniform(2.5, 7) * s * (1.2 - 0.5 * reach);
                var x1 = x + Math.Cos(angle) * length;
                var y1 = y + Math.Sin(angle) * length;
                canvas.Paint(new CapsuleShape(x, y, x1, y1, radius, radius * 0.75), level, 1, canvas.Lung);
                if (random.Chance(0.4))
                {
                    var fork = angle + random.Uniform(0.3, 0.7) * (random.Chance(0.5) ? 1 : -1);
                    var forkLength = length * random.Uniform(0.5, 0.8);
                    canvas.Paint(
                        new CapsuleShape(x1, y1, x1 + Math.Cos(fork) * forkLength, y1 + Math.Sin(fork) * forkLength, radius * 0.7, radius * 0.5),
                        level - 0.05, 1, canvas.Lung);
                }
            }
        }
    }

    /// <summary>
    /// Adds noise inside the body (a smoothed and a white component; the air around the patient stays clean, as
    /// in a reconstructed field of view) and quantises to bytes.
    /// </summary>
    private static byte[] Finish(SliceCanvas canvas, SynthRandom random)
    {
        var size = canvas.Size;
        var n = size * size;
        var body = canvas.Body;
        var values = canvas.Values;

        // Approximately normal noise: the sum of the four 16-bit parts of one 64-bit draw (Irwin–Hall, n = 4),
        // centred and scaled to unit variance. Drawn only where the body is.
        var white = SliceCanvas.Rent(n);
        const float scale = 1.7320508f / 65536f; // sqrt(12 / 4) per unit of the summed uniforms
        for (var i = 0; i < n; i++)
        {
            if (body[i] > 0)
            {
                var r = random.NextUInt64();
                var sum = (int)(r & 0xFFFF) + (int)((r >> 16) & 0xFFFF) + (int)((r >> 32) & 0xFFFF) + (int)(r >> 48);
                white[i] = (sum - 131070) * scale;
            }
        }

        // Separable [1 2 1]/4 smoothing; its output has 0.375² of the variance, rescaled below.
        var horizontal = SliceCanvas.Rent(n);
        for (var y = 0; y < size; y++)
        {
            var row = y * size;
            for (var x = 0; x < size; x++)
            {
                var l = white[row + Math.Max(x - 1, 0)];
                var r = white[row + Math.Min(x + 1, size - 1)];
                horizontal[row + x] = (l + 2 * white[row + x] + r) * 0.25f;
            }
        }

        const float smoothGain = 0.022f * 0.25f / 0.375f;
        const float whiteGain = 0.012f;
        var pixels = new byte[n];
        for (var y = 0; y < size; y++)
        {
            var up = Math.Max(y - 1, 0) * size;
            var down = Math.Min(y + 1, size - 1) * size;
            var row = y * size;
            for (var x = 0; x < size; x++)
            {
                var i = row + x;
                var v = values[i];
                var b = body[i];
                if (b > 0)
                {
                    var smooth = horizontal[up + x] + 2 * horizontal[i] + horizontal[down + x];
                    v += b * (smoothGain * smooth + whiteGain * white[i]);
                }

                var q = (int)(v * 255f + 0.5f);
                pixels[i] = (byte)(q < 0 ? 0 : q > 255 ? 255 : q);
            }
        }

        SliceCanvas.Return(white);
        SliceCanvas.Return(horizontal);
        return pixels;
    }
}

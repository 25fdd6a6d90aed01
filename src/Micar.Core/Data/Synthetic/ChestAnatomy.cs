namespace Micar.Data.Synthetic;

/// <summary>
/// The randomly varied normal anatomy of one synthetic axial chest slice, in pixel coordinates of a square
/// image (patient's anterior at the top, patient's right on the image's left): body outline with skin, fat and
/// muscle layers, thoracic cavity, mediastinum with heart, descending aorta and oesophagus, thoracic vertebra
/// with its arch, sternum, rib cross-sections, and the CT table.
/// </summary>
internal sealed class ChestAnatomy
{
    private ChestAnatomy()
    {
    }

    /// <summary>Image side in pixels.</summary>
    public int Size { get; private init; }

    /// <summary>Outer skin surface.</summary>
    public EllipseShape Body { get; private init; }

    /// <summary>Inner border of the skin (subcutaneous fat starts).</summary>
    public EllipseShape FatOuter { get; private init; }

    /// <summary>Inner border of the fat (chest-wall muscle starts).</summary>
    public EllipseShape MuscleOuter { get; private init; }

    /// <summary>Inner border of the chest wall: the thoracic cavity.</summary>
    public EllipseShape Cavity { get; private init; }

    /// <summary>The space the lungs may fill (the cavity less a thin pleural rim).</summary>
    public EllipseShape LungSpace { get; private init; }

    /// <summary>Pericardial fat around the heart.</summary>
    public EllipseShape HeartFat { get; private init; }

    /// <summary>The heart.</summary>
    public EllipseShape Heart { get; private init; }

    /// <summary>Descending aorta.</summary>
    public EllipseShape Aorta { get; private init; }

    /// <summary>Fat padding around the aorta, excluded from the lungs.</summary>
    public EllipseShape AortaPad { get; private init; }

    /// <summary>Oesophagus.</summary>
    public EllipseShape Esophagus { get; private init; }

    /// <summary>Vertebral body (outer cortex).</summary>
    public EllipseShape Vertebra { get; private init; }

    /// <summary>Vertebral body marrow (inside the cortex).</summary>
    public EllipseShape Marrow { get; private init; }

    /// <summary>Soft tissue around the vertebral body, excluded from the lungs.</summary>
    public EllipseShape VertebraPad { get; private init; }

    /// <summary>Vertebral arch (ring around the canal).</summary>
    public EllipseShape Arch { get; private init; }

    /// <summary>Spinal canal.</summary>
    public EllipseShape Canal { get; private init; }

    /// <summary>Sternum.</summary>
    public EllipseShape Sternum { get; private init; }

    /// <summary>Rib cross-sections in the chest wall.</summary>
    public IReadOnlyList<EllipseShape> Ribs { get; private init; } = [];

    /// <summary>Spinous and transverse processes as (x0, y0, x1, y1, radius).</summary>
    public IReadOnlyList<(double X0, double Y0, double X1, double Y1, double R)> Processes { get; private init; } = [];

    /// <summary>Half-width of the central mediastinal band between the lungs.</summary>
    public double MediastinumHalfWidth { get; private init; }

    /// <summary>Midline x (the body's centre).</summary>
    public double MidX { get; private init; }

    /// <summary>Centre y of the body.</summary>
    public double MidY { get; private init; }

    /// <summary>Hilum of the patient's right lung (image left).</summary>
    public (double X, double Y) RightHilum { get; private init; }

    /// <summary>Hilum of the patient's left lung (image right).</summary>
    public (double X, double Y) LeftHilum { get; private init; }

    /// <summary>Top of the CT table at the midline, its curvature (pixels of rise per pixel² from the midline) and thickness.</summary>
    public (double Top, double Curvature, double Thickness) Table { get; private init; }

    /// <summary>Draws the anatomy of one slice.</summary>
    public static ChestAnatomy Sample(SynthRandom r, int size)
    {
        var h = size / 2.0; // pixels per normalised unit; the image spans [-1, 1]
        double X(double u) => h + u * h;
        double Y(double v) => h + v * h;

        var cx = r.Uniform(-0.015, 0.015);
        var cy = r.Uniform(0.0, 0.04);
        var a = r.Uniform(0.80, 0.88);
        var bTop = r.Uniform(0.55, 0.62);
        var bBottom = bTop * r.Uniform(0.90, 0.96);
        var sx = a / 0.84;
        var sy = (bTop + bBottom) / 2 / 0.565;
        var skin = 0.012;
        var fat = r.Uniform(0.03, 0.075);
        var muscle = r.Uniform(0.035, 0.05);
        var posteriorMuscle = r.Uniform(0.04, 0.06);

        EllipseShape Inset(double t, double extraBottom = 0) =>
            new(X(cx), Y(cy), (a - t) * h, (bTop - t) * h, (bBottom - t - extraBottom) * h);

        var wall = skin + fat + muscle;
        var heartX = cx + r.Uniform(0.1, 0.15) * sx;
        var heartY = cy + r.Uniform(-0.08, -0.03) * sy;
        var heartA = r.Uniform(0.24, 0.28) * sx;
        var heartB = r.Uniform(0.19, 0.22) * sy;
        var heartAngle = -r.Uniform(0.35, 0.6);
        var vertR = r.Uniform(0.085, 0.1) * sx;
        var vertY = cy + bBottom - wall - posteriorMuscle - vertR * 1.1;
        var aortaR = r.Uniform(0.055, 0.07) * sx;
        var aortaX = cx + vertR + aortaR * r.Uniform(0.7, 1.0);
        var aortaY = vertY - vertR * r.Uniform(0.6, 0.9);
        var canalR = vertR * 0.45;
        var canalY = vertY + vertR + canalR * 1.3;

        var ribs = new List<EllipseShape>();
        foreach (var sign in new[] { -1.0, 1.0 })
        {
            var count = 5 + r.Next(2);
            for (var k = 0; k < count; k++)
            {
                // Angle measured from the anterior midline towards the side; ribs sit in the muscle layer.
                var theta = (0.28 + (k + r.Uniform(-0.25, 0.25)) * (2.55 / count)) * sign;
                var ra = a - skin - fat - muscle * 0.5;
                var rb = (Math.Cos(theta) > 0 ? bTop : bBottom) - skin - fat - muscle * 0.5;
                var ux = cx + ra * Math.Sin(theta);
                var vy = cy - rb * Math.Cos(theta);
                var tangent = Math.Atan2(rb * Math.Sin(theta), ra * Math.Cos(theta));
                var len = r.Uniform(0.03, 0.05);
                ribs.Add(new EllipseShape(X(ux), Y(vy), len * h, 0.014 * h, 0.014 * h, tangent));
            }
        }

        var sternumY = cy - bTop + skin + fat + muscle * 0.5;
        var processes = new List<(double, double, double, double, double)>
        {
            (X(cx), Y(canalY + canalR), X(cx), Y(cy + bBottom - skin - fat * 0.8), 0.017 * h),
            (X(cx - canalR * 0.8), Y(canalY), X(cx - vertR * 1.6), Y(canalY - canalR * 0.2), 0.016 * h),
            (X(cx + canalR * 0.8), Y(canalY), X(cx + vertR * 1.6), Y(canalY - canalR * 0.2), 0.016 * h),
        };

        return new ChestAnatomy
        {
            Size = size,
            Body = Inset(0),
            FatOuter = Inset(skin),
            MuscleOuter = Inset(skin + fat),
            Cavity = Inset(wall, posteriorMuscle),
            LungSpace = Inset(wall + 0.008, posteriorMuscle),
            HeartFat = new EllipseShape(X(heartX), Y(heartY), (heartA + 0.02) * h, (heartB + 0.02) * h, (heartB + 0.02) * h, heartAngle),
            Heart = new EllipseShape(X(heartX), Y(heartY), heartA * h, heartB * h, heartB * h, heartAngle),
            Aorta = EllipseShape.Circle(X(aortaX), Y(aortaY), aortaR * h),
            AortaPad = EllipseShape.Circle(X(aortaX), Y(aortaY), (aortaR + 0.015) * h),
            Esophagus = EllipseShape.Circle(X(cx - 0.01 * sx), Y(vertY - vertR - 0.04), 0.026 * h),
            Vertebra = EllipseShape.Circle(X(cx), Y(vertY), vertR * h),
            Marrow = EllipseShape.Circle(X(cx), Y(vertY), (vertR - 0.013) * h),
            VertebraPad = new EllipseShape(X(cx), Y(vertY), (vertR + 0.03) * h, (vertR + 0.05) * h, (vertR + 0.2) * h),
            Arch = EllipseShape.Circle(X(cx), Y(canalY), (canalR + 0.02) * h),
            Canal = EllipseShape.Circle(X(cx), Y(canalY), canalR * h),
            Sternum = new EllipseShape(X(cx), Y(sternumY), 0.055 * h, 0.022 * h, 0.022 * h),
            Ribs = ribs,
            Processes = processes,
            MediastinumHalfWidth = r.Uniform(0.02, 0.03) * sx * h,
            MidX = X(cx),
            MidY = Y(cy),
            RightHilum = (X(cx - r.Uniform(0.15, 0.19) * sx), Y(cy + r.Uniform(-0.02, 0.06) * sy)),
            LeftHilum = (X(cx + r.Uniform(0.19, 0.23) * sx), Y(cy + r.Uniform(-0.04, 0.04) * sy)),
            Table = (Y(cy + bBottom + r.Uniform(0.012, 0.025)), 0.2 / h, 0.035 * h),
        };
    }
}

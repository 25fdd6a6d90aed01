namespace Micar.Data.Synthetic;

/// <summary>
/// Generates synthetic chest CT studies. Everything is a function of the seed (the generator's own
/// <see cref="SynthRandom"/>, independent of the .NET version): the findings come from one random stream and the
/// drawing from another, so a seed gives the same findings and report at every image size.
/// </summary>
public static class SyntheticGenerator
{
    /// <summary>Version of the generator, recorded with every dataset; bumped whenever output for a seed changes.</summary>
    public const string Version = "micar-synth-ct/1";

    /// <summary>Default image side.</summary>
    public const int DefaultSize = 224;

    /// <summary>Smallest supported image side (below it the anatomy stops being recognisable).</summary>
    public const int MinSize = 64;

    /// <summary>Largest supported image side.</summary>
    public const int MaxSize = 4096;

    private const ulong FindingStream = 1;
    private const ulong RenderStream = 2;
    private const ulong ModalityStream = 4;

    /// <summary>Generates the study for <paramref name="seed"/> at <paramref name="size"/>² pixels.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is outside [<see cref="MinSize"/>, <see cref="MaxSize"/>].</exception>
    public static SyntheticCase Generate(ulong seed, int size = DefaultSize)
    {
        if (size is < MinSize or > MaxSize)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, $"Synthetic image size must be in [{MinSize}, {MaxSize}].");
        }

        var findings = SampleFindings(seed);
        var pixels = SliceRenderer.Render(findings, SynthRandom.Derive(seed, RenderStream, 0), size);
        return new SyntheticCase(seed, size, pixels, findings, ReportGrammar.Write(findings));
    }

    /// <summary>Generates the study for <paramref name="seed"/> rendered as <paramref name="modality"/>: the same findings as
    /// <see cref="Generate(ulong, int)"/> (which is the <see cref="SyntheticModality.Ct"/> case, byte for byte); an X-ray
    /// study is the CT rendering projected by <see cref="RadiographProjection"/> and reported by <see cref="RadiographGrammar"/>.</summary>
    public static SyntheticCase Generate(ulong seed, int size, SyntheticModality modality)
    {
        var ct = Generate(seed, size);
        return modality switch
        {
            SyntheticModality.Ct => ct,
            SyntheticModality.XRay => ct with { Pixels = RadiographProjection.Project(ct.Pixels, size), Report = RadiographGrammar.Write(ct.Findings) },
            _ => throw new ArgumentOutOfRangeException(nameof(modality), modality, "unknown synthetic modality"),
        };
    }

    /// <summary>The modality of study <paramref name="seed"/> in a dataset whose share of X-ray studies is
    /// <paramref name="xrayShare"/> (a draw from the study's own stream, independent of its findings and drawing).</summary>
    public static SyntheticModality ModalityOf(ulong seed, double xrayShare)
    {
        if (!(xrayShare is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(xrayShare), xrayShare, "the X-ray share must lie in [0, 1]");
        if (xrayShare == 0) return SyntheticModality.Ct;
        var u = new SynthRandom(SynthRandom.Derive(seed, ModalityStream, 0)).NextDouble();
        return u < xrayShare ? SyntheticModality.XRay : SyntheticModality.Ct;
    }

    /// <summary>
    /// Renders an arbitrary finding set on the patient of <paramref name="seed"/> (the anatomy <see cref="Generate(ulong, int)"/>
    /// draws for that seed). The same seed with and without a finding gives images that differ only where the
    /// finding is drawn, which is how figures and tests isolate a finding.
    /// </summary>
    /// <param name="findings">Findings to draw; lung lesions need side, zone, depth, size and margin; effusions side and size.
    /// Two lesions in the same lung zone overlap.</param>
    /// <param name="seed">Study seed (as for <see cref="Generate(ulong, int)"/>).</param>
    /// <param name="size">Image side in pixels.</param>
    /// <returns>Row-major 8-bit grey pixels.</returns>
    public static byte[] Render(FindingSet findings, ulong seed, int size = DefaultSize)
    {
        ArgumentNullException.ThrowIfNull(findings);
        if (size is < MinSize or > MaxSize)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, $"Synthetic image size must be in [{MinSize}, {MaxSize}].");
        }

        foreach (var f in findings)
        {
            var lesion = f.Type != FindingType.Effusion;
            if (f.Side == LungSide.Unknown || f.Size == LesionSize.Unknown
                || (lesion && (f.Zone is LungZone.Unknown or LungZone.NotApplicable || f.Depth is LesionDepth.Unknown or LesionDepth.NotApplicable
                    || f.Margin is LesionMargin.Unknown or LesionMargin.NotApplicable)))
            {
                throw new ArgumentException($"Synthetic render: finding '{f.ToCode()}' is not fully specified.", nameof(findings));
            }
        }

        return SliceRenderer.Render(findings, SynthRandom.Derive(seed, RenderStream, 0), size);
    }

    /// <summary>The findings <see cref="Generate(ulong, int)"/> would draw for <paramref name="seed"/>, without rendering.</summary>
    public static FindingSet SampleFindings(ulong seed) =>
        FindingSampler.Sample(new SynthRandom(SynthRandom.Derive(seed, FindingStream, 0)));

    /// <summary>Seed of study <paramref name="index"/> of a dataset generated with <paramref name="datasetSeed"/>.</summary>
    public static ulong CaseSeed(long datasetSeed, int index) => SynthRandom.Derive(unchecked((ulong)datasetSeed), 0, (ulong)index);
}

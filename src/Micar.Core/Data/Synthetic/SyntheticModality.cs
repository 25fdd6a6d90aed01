namespace Micar.Data.Synthetic;

/// <summary>How a synthetic study is rendered and reported.</summary>
public enum SyntheticModality
{
    /// <summary>An axial chest CT slice with a COVCTR-vocabulary report (<see cref="ReportGrammar"/>); the default.</summary>
    Ct,
    /// <summary>A radiograph-like projection of the same chest (<see cref="RadiographProjection"/>) with a chest X-ray
    /// vocabulary report (<see cref="RadiographGrammar"/>).</summary>
    XRay,
}

/// <summary>Names of the synthetic modalities as datasets and specs write them (label order: ct = 0, xray = 1).</summary>
public static class SyntheticModalities
{
    /// <summary>The names in label order.</summary>
    public static IReadOnlyList<string> Names { get; } = ["ct", "xray"];

    /// <summary>The name of a modality.</summary>
    public static string Name(SyntheticModality m) => Names[(int)m];

    /// <summary>The modality of a name.</summary>
    /// <exception cref="ArgumentException">Not one of <see cref="Names"/>.</exception>
    public static SyntheticModality Parse(string name)
    {
        var i = Names.ToList().IndexOf(name);
        return i >= 0 ? (SyntheticModality)i : throw new ArgumentException($"modality '{name}' is not one of {string.Join(", ", Names)}");
    }
}

namespace Micar.Data.Synthetic;

/// <summary>The kinds of finding the synthetic generator draws and the extractor recognises.</summary>
public enum FindingType
{
    /// <summary>Ground-glass opacity: hazy, partly transparent; reported as "ground glass shadow" (code <c>ggo</c>).</summary>
    GroundGlass,

    /// <summary>Consolidation: dense opacity, may show an air bronchogram; reported as "highdensity shadow"
    /// because the COVCTR vocabulary has no word "consolidation" (code <c>consolidation</c>).</summary>
    Consolidation,

    /// <summary>Small round dense lesion; reported as "nodule" (code <c>nodule</c>).</summary>
    Nodule,

    /// <summary>Pleural effusion: dependent posterior crescent; reported as "arcshaped liquid density … pleura"
    /// because the vocabulary has no word "effusion" (code <c>effusion</c>).</summary>
    Effusion,

    /// <summary>Cavity: ring-shaped wall around a dark air centre; reported as "cavity" (code <c>cavity</c>).</summary>
    Cavity,
}

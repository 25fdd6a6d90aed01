using Micar.Data.Images;

namespace Micar.Data.Synthetic;

/// <summary>One generated study: a grey axial chest CT slice, its findings and its report.</summary>
/// <param name="Seed">The seed it was generated from (<see cref="SyntheticGenerator.Generate(ulong, int)"/>).</param>
/// <param name="Size">Image side in pixels.</param>
/// <param name="Pixels">8-bit grey pixels, row-major, top row first (<c>Size × Size</c> bytes).</param>
/// <param name="Findings">What the image shows.</param>
/// <param name="Report">The report (COVCTR style and vocabulary).</param>
public sealed record SyntheticCase(ulong Seed, int Size, byte[] Pixels, FindingSet Findings, string Report)
{
    /// <summary>The image as a grey PNG file.</summary>
    public byte[] ToPng() => PngEncoder.Encode(Pixels, Size, Size, 1);
}

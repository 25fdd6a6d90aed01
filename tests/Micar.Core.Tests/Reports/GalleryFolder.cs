using Micar.Data.Images;
using Micar.Reports;

namespace Micar.Tests.Reports;

/// <summary>A report directory with a 512×400 test image and one explanation, shared by the run report tests.</summary>
public sealed class GalleryFolder : IDisposable
{
    public GalleryFolder()
    {
        var explain = ReportSamples.Explain();
        ExplainRenderer.Render(explain with { Pyramid = [], SelfAttention = [] }, Temp.Combine("explain", "case 0"));
        Directory.CreateDirectory(Temp.Combine("images"));
        var big = ReportSamples.CtSlice(512, 400);
        PngEncoder.Save(Temp.Combine("images", "case0.png"), big.Pixels, big.Width, big.Height, 1);
    }

    public TempDirectory Temp { get; } = new();

    public void Dispose() => Temp.Dispose();
}

using Micar.Data.Images;
using Micar.Reports;
using Xunit;

namespace Micar.Tests.Reports;

/// <summary>
/// Renders the sample explanation and run report end to end. Set MICAR_REPORT_DEMO_DIR to keep the output
/// for viewing; otherwise it goes to a temporary directory that is removed.
/// </summary>
public sealed class DemoTests : IDisposable
{
    private readonly string _dir;
    private readonly bool _keep;

    public DemoTests()
    {
        var kept = Environment.GetEnvironmentVariable("MICAR_REPORT_DEMO_DIR");
        _keep = !string.IsNullOrEmpty(kept);
        _dir = _keep ? kept! : Path.Combine(Path.GetTempPath(), "micar-report-demo-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    public void Dispose()
    {
        if (!_keep)
            Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void Explanation_and_run_report_are_written()
    {
        var data = ReportSamples.Explain();
        var explainDir = Path.Combine(_dir, "explain", "case0");
        var files = ExplainRenderer.Render(data, explainDir, new ExplainOptions { PerHead = true, PerLayerOverlays = true });
        Assert.Equal(Path.Combine(explainDir, "index.html"), files[^1]);
        Assert.All(files, f => Assert.True(File.Exists(f), f));

        var imagePath = Path.Combine(_dir, "images", "case0.png");
        Directory.CreateDirectory(Path.GetDirectoryName(imagePath)!);
        PngEncoder.Save(imagePath, data.Image.Pixels, data.Image.Width, data.Image.Height, data.Image.Channels);
        var run = ReportSamples.Run(
        [
            new GalleryItem
            {
                ImagePath = "images/case0.png",
                Generated = data.GeneratedText,
                Reference = data.Reference,
                ExplainFigures = ["explain/case0/overlays.svg", "explain/case0/routing_layer0.svg"],
                ExplainPage = "explain/case0/index.html",
            },
        ]);
        var report = Path.Combine(_dir, "report.html");
        RunReport.Write(run, report);
        Assert.True(new FileInfo(report).Length > 10_000);
    }
}

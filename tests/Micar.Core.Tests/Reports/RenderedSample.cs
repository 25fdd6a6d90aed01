using Micar.Reports;

namespace Micar.Tests.Reports;

/// <summary>The sample explanation rendered once with default options, shared by the tests that only read it.</summary>
public sealed class RenderedSample : IDisposable
{
    private readonly TempDirectory _temp = new();

    public RenderedSample()
    {
        Files = ExplainRenderer.Render(Data, Directory);
    }

    public ExplainData Data { get; } = ReportSamples.Explain();

    public string Directory => _temp.Combine("default");

    public IReadOnlyList<string> Files { get; }

    public string Read(string name) => File.ReadAllText(Path.Combine(Directory, name));

    public void Dispose() => _temp.Dispose();
}

using System.Text;
using System.Text.Json;

namespace Micar.Tests.Metrics;

/// <summary>Access to the committed files in <c>tests/fixtures/metrics</c>.</summary>
internal static class MetricFixtures
{
    public static string Path(params string[] parts) =>
        System.IO.Path.Combine([AppContext.BaseDirectory, "fixtures", "metrics", .. parts]);

    /// <summary>The tab-separated fields of every line.</summary>
    public static IEnumerable<string[]> Tsv(string name) =>
        File.ReadLines(Path(name), Encoding.UTF8).Select(line => line.Split('\t'));

    public static JsonElement Json(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path(name), Encoding.UTF8));
        return doc.RootElement.Clone();
    }

    public static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();

    public static string[] Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToArray();
}

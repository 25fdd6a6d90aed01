using System.Text.Json;
using Micar.Data.Synthetic;

namespace Micar.Tests.Synthetic;

/// <summary>The COVCTR vocabulary as embedded in Micar.Core (resource <c>Micar.Resources.vocab/covctr/token2id.json</c>).</summary>
internal static class CovctrVocabulary
{
    public static IReadOnlySet<string> Tokens { get; } = Load();

    private static HashSet<string> Load()
    {
        const string name = "Micar.Resources.vocab/covctr/token2id.json";
        using var stream = typeof(SyntheticGenerator).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"resource {name} is missing");
        var map = JsonSerializer.Deserialize<Dictionary<string, int>>(stream)
            ?? throw new InvalidOperationException($"resource {name} is empty");
        return [.. map.Keys.Where(k => !k.StartsWith('<'))];
    }
}

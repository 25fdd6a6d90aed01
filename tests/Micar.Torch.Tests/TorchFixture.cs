using System.Text.Json;
using Micar.Torch;

namespace Micar.Torch.Tests;

/// <summary>Reference tensors computed by Debian's python3-torch (scripts/fixtures/make_torch_fixtures.py).</summary>
public static class TorchFixture
{
    static readonly Lazy<Dictionary<string, JsonElement>> Data = new(() =>
    {
        var path = Path.Combine(AppContext.BaseDirectory, "fixtures", "torch", "ops.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("tensors").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
    });

    /// <summary>The named fixture tensor (a fresh CPU tensor).</summary>
    public static Tensor Get(string name)
    {
        var e = Data.Value[name];
        var shape = e.GetProperty("shape").EnumerateArray().Select(v => v.GetInt64()).ToArray();
        var data = e.GetProperty("data");
        return e.GetProperty("dtype").GetString() switch
        {
            "float32" => Tensor.From<float>(data.EnumerateArray().Select(v => v.GetSingle()).ToArray(), shape),
            "int64" => Tensor.From<long>(data.EnumerateArray().Select(v => v.GetInt64()).ToArray(), shape),
            var d => throw new NotSupportedException(d),
        };
    }

    /// <summary>Asserts shape equality and max |a − b| ≤ tol.</summary>
    public static void AssertClose(Tensor expected, Tensor actual, double tol = 1e-6, string what = "")
    {
        Xunit.Assert.Equal(expected.Shape, actual.Shape);
        using var e = expected.To(DType.Float64);
        using var a = actual.To(DType.Float64);
        using var diff = (e - a).Abs();
        double max = diff.Numel == 0 ? 0 : diff.Max().Item();
        Xunit.Assert.True(max <= tol, $"{what}: max abs difference {max:g3} > {tol:g3}");
    }

    /// <summary>Compares a computed tensor with the named fixture.</summary>
    public static void AssertMatches(string name, Tensor actual, double tol = 1e-6)
    {
        using var expected = Get(name);
        AssertClose(expected, actual, tol, name);
    }
}

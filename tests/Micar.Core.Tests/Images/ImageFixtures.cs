using System.Security.Cryptography;
using System.Text.Json;
using Micar.Data.Images;
using Xunit;

namespace Micar.Tests.Images;

/// <summary>The parity fixtures of scripts/fixtures/make_image_fixtures.py (tests/fixtures/images/images.json).</summary>
internal static class ImageFixtures
{
    public static string Directory { get; } = Path.Combine(AppContext.BaseDirectory, "fixtures", "images");

    private static readonly Lazy<JsonElement> Summary = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Directory, "images.json"))).RootElement);

    public static IEnumerable<JsonElement> Entries => Summary.Value.GetProperty("images").EnumerateArray();

    public static JsonElement Entry(string file) => Entries.Single(e => e.GetProperty("file").GetString() == file);

    public static string PathOf(string relative) => Path.Combine(Directory, relative);

    public static TheoryData<string> Files(Func<JsonElement, bool> where)
    {
        var data = new TheoryData<string>();
        foreach (var e in Entries.Where(where))
            data.Add(e.GetProperty("file").GetString()!);
        return data;
    }

    public static bool Has(this JsonElement e, string property) => e.TryGetProperty(property, out _);

    public static string Str(this JsonElement e, string property) => e.GetProperty(property).GetString()!;

    public static float[] Floats(JsonElement array) => array.EnumerateArray().Select(x => (float)x.GetDouble()).ToArray();

    public static string Sha256(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();

    public static ChannelNormalization Normalization()
    {
        var mean = Floats(Summary.Value.GetProperty("mean"));
        var std = Floats(Summary.Value.GetProperty("std"));
        return new ChannelNormalization(mean[0], mean[1], mean[2], std[0], std[1], std[2]);
    }
}

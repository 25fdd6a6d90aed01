using System.Text.Json;
using Micar.Data.Images;
using Xunit;
using Xunit.Abstractions;

namespace Micar.Tests.Images;

/// <summary>
/// <see cref="EvalTransform"/> and <see cref="SquareResizeTransform"/> against torchvision 0.14 + PIL 9.4
/// outputs. Differences are measured in [0, 1] units (before normalisation): |ours − torchvision| · std.
/// </summary>
public sealed class TransformParityTests(ITestOutputHelper output)
{
    private const double MeanTolerance = 0.5 / 255;

    public static TheoryData<string> WithEval => ImageFixtures.Files(e => e.Has("eval"));

    public static TheoryData<string> WithSquare => ImageFixtures.Files(e => e.Has("square"));

    [Theory]
    [MemberData(nameof(WithEval))]
    public void Official_eval_transform_matches_torchvision(string file)
    {
        var entry = ImageFixtures.Entry(file);
        var actual = ImageTransform.OfficialEval.Apply(ImageIO.Load(ImageFixtures.PathOf(file)));
        var (max, mean) = CompareWithReference(entry.GetProperty("eval"), 224, actual);
        output.WriteLine($"{file}: eval 232/224 max |diff| {max * 255:F3}/255, mean {mean * 255:F4}/255");
        Assert.True(mean <= MeanTolerance, $"mean difference {mean * 255}/255");
        if (entry.Str("format") == "png" && !entry.Has("decodedNative"))
            Assert.Equal(0.0, max);   // exactly decoded input: the resampling itself is bit-exact
    }

    [Theory]
    [MemberData(nameof(WithSquare))]
    public void Square_resize_matches_torchvision(string file)
    {
        var entry = ImageFixtures.Entry(file);
        var square = entry.GetProperty("square");
        var size = square.GetProperty("size").GetInt32();
        var actual = new SquareResizeTransform(size).Apply(ImageIO.Load(ImageFixtures.PathOf(file)));
        var (max, mean) = CompareWithReference(square, size, actual);
        output.WriteLine($"{file}: square {size} max |diff| {max * 255:F3}/255, mean {mean * 255:F4}/255");
        Assert.True(mean <= MeanTolerance, $"mean difference {mean * 255}/255");
        if (entry.Str("format") == "png")
            Assert.Equal(0.0, max);
    }

    /// <summary>
    /// Rebuilds torchvision's float output from the stored uint8 crop, checks the rebuilt tensor against the
    /// statistics of the real one, and returns the max and mean difference to <paramref name="actual"/> in [0, 1] units.
    /// </summary>
    private static (double Max, double Mean) CompareWithReference(JsonElement reference, int size, float[] actual)
    {
        var crop = ImageIO.Load(ImageFixtures.PathOf(reference.Str("file")));
        Assert.Equal((size, size, ColorMode.Rgb), (crop.Width, crop.Height, crop.Mode));
        var norm = ImageFixtures.Normalization();
        var expected = new float[3 * size * size];
        norm.WriteChw(crop.Pixels, size, size, expected);

        var sums = reference.GetProperty("sum").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        var mins = ImageFixtures.Floats(reference.GetProperty("min"));
        var maxs = ImageFixtures.Floats(reference.GetProperty("max"));
        var plane = size * size;
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0, total = 0;
        for (var c = 0; c < 3; c++)
        {
            var channel = expected.AsSpan(c * plane, plane);
            Assert.Equal(sums[c], channel.ToArray().Sum(x => (double)x), 4);
            Assert.Equal(mins[c], channel.ToArray().Min());
            Assert.Equal(maxs[c], channel.ToArray().Max());
            var std = c switch { 0 => norm.StdR, 1 => norm.StdG, _ => norm.StdB };
            for (var i = 0; i < plane; i++)
            {
                var d = Math.Abs((double)actual[c * plane + i] - expected[c * plane + i]) * std;
                worst = Math.Max(worst, d);
                total += d;
            }
        }
        return (worst, total / actual.Length);
    }
}

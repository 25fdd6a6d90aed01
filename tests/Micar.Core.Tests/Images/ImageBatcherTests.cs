using Micar.Data.Images;
using Micar.Training;
using Xunit;

namespace Micar.Tests.Images;

/// <summary>
/// <see cref="ImageBatcher"/> decodes with bounded memory: no more images at once than the budget admits
/// (counted by the gate, not timed), and the decode options reach every image.
/// </summary>
public sealed class ImageBatcherTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("micar-batcher-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string[] WriteImages(int count, int width = 48, int height = 40)
    {
        var random = new Random(11);
        return Enumerable.Range(0, count).Select(i =>
        {
            var rgb = new byte[width * height * 3];
            random.NextBytes(rgb);
            var path = Path.Combine(_directory, $"img{i}.png");
            PngEncoder.Save(path, rgb, width, height, 3);
            return path;
        }).ToArray();
    }

    /// <summary>
    /// A hook that keeps each admitted image in flight until <paramref name="target"/> are in flight together (or
    /// a second passes), so that any concurrency the bounds allow really happens and shows in the gate's peak.
    /// </summary>
    private static Action HoldUntil(int target)
    {
        var inFlight = 0;
        return () =>
        {
            Interlocked.Increment(ref inFlight);
            SpinWait.SpinUntil(() => Volatile.Read(ref inFlight) >= target, 1000);
            Interlocked.Decrement(ref inFlight);
        };
    }

    private static long Cost(string path, ImageTransform transform) =>
        ImageBatcher.WorkingBytes(ImageIO.Inspect(File.ReadAllBytes(path), path), transform);

    [Fact]
    public void A_budget_for_one_image_decodes_one_at_a_time_and_the_results_are_unchanged()
    {
        var paths = WriteImages(3);
        var transform = new SquareResizeTransform(16);
        var budget = new DecodeBudget(Cost(paths[0], transform));
        var buffers = ImageBatcher.Decode(paths, transform, ImageDecodeOptions.Default, budget, maxParallelism: 8, HoldUntil(2));
        Assert.Equal(1, budget.PeakCount);
        Assert.Equal(budget.BudgetBytes, budget.PeakBytes);
        for (var i = 0; i < paths.Length; i++)
            Assert.Equal(transform.Apply(ImageIO.Load(paths[i]).ToRgb()), buffers[i]);
    }

    [Fact]
    public void Concurrency_never_exceeds_the_budget_nor_the_parallelism()
    {
        var paths = WriteImages(4);
        var transform = new SquareResizeTransform(16);
        var cost = Cost(paths[0], transform);
        var budget = new DecodeBudget(3 * cost);
        ImageBatcher.Decode(paths, transform, ImageDecodeOptions.Default, budget, maxParallelism: 2, HoldUntil(3));
        Assert.InRange(budget.PeakCount, 1, Math.Min(2, Environment.ProcessorCount));
        Assert.InRange(budget.PeakBytes, cost, budget.BudgetBytes);
    }

    [Fact]
    public void An_image_larger_than_the_budget_runs_alone()
    {
        var paths = WriteImages(2);
        var budget = new DecodeBudget(1);
        var buffers = ImageBatcher.Decode(paths, new SquareResizeTransform(8), ImageDecodeOptions.Default, budget, maxParallelism: 4, HoldUntil(2));
        Assert.All(buffers, Assert.NotNull);
        Assert.Equal(1, budget.PeakCount);
    }

    [Fact]
    public void Working_bytes_count_the_decoder_the_rgb_copy_and_the_resize_rows()
    {
        var info = new ImageInfo(ImageFileFormat.Png, 1000, 800, ColorMode.Grey, "16-bit grey PNG", 3 * 800_000);
        Assert.Equal(3 * 800_000 + 3 * 800_000 + 3 * 800 * 224, ImageBatcher.WorkingBytes(info, ImageTransform.OfficialEval));
        var rgb = info with { Mode = ColorMode.Rgb, DecodeBytes = 3 * 800_000 };
        Assert.Equal(3 * 800_000 + 3 * 800 * 224, ImageBatcher.WorkingBytes(rgb, ImageTransform.OfficialEval));
    }

    [Fact]
    public void Decode_options_reach_every_image_and_bad_files_are_named()
    {
        var scan = Path.Combine(_directory, "scan.png");
        File.WriteAllBytes(scan, CraftedPng.Grey16(4, 1000, 1500, 2000, 3000, 1000, 1500, 2000, 3000, 1000, 1500, 2000, 3000, 1000, 1500, 2000, 3000));
        var transform = new SquareResizeTransform(4);
        var budget = new DecodeBudget(ImageBatcher.DefaultMemoryBudgetBytes);
        var minMax = new ImageDecodeOptions { SixteenBit = SixteenBitMapping.MinMax };
        var stretched = ImageBatcher.Decode([scan], transform, minMax, budget, 2)[0];
        Assert.Equal(transform.Apply(ImageIO.Load(scan, minMax).ToRgb()), stretched);
        Assert.NotEqual(transform.Apply(ImageIO.Load(scan).ToRgb()), stretched);

        var refused = Assert.Throws<ImageDecodeException>(() => ImageBatcher.Decode([scan], transform,
            new ImageDecodeOptions { MaxDecodedBytes = 10 }, budget, 2));
        Assert.Equal(scan, refused.FileName);
        var folder = Assert.Throws<ImageDecodeException>(() => ImageBatcher.Decode([_directory], transform, ImageDecodeOptions.Default, budget, 2));
        Assert.Equal("is a directory, not a file", folder.Reason);
    }
}

using Micar.Data.Images;
using Micar.Data.Loading;
using Micar.Torch;
using Xunit;

namespace Micar.Tests.Loading;


public sealed class CaptionLoaderTests
{
    /// <summary>A batch copied out of its tensors.</summary>
    private sealed record BatchData(int[] Rows, string[] Paths, string[] Reports, float[] Images, long[] Ids, long[] Mask, long[] Labels)
    {
        public void AssertEqual(BatchData other)
        {
            Assert.Equal(Rows, other.Rows);
            Assert.Equal(Paths, other.Paths);
            Assert.Equal(Reports, other.Reports);
            Assert.Equal(Images, other.Images);
            Assert.Equal(Ids, other.Ids);
            Assert.Equal(Mask, other.Mask);
            Assert.Equal(Labels, other.Labels);
        }
    }

    private static BatchData Copy(CaptionBatch b) => new(b.RowIndices, b.ImagePaths, b.Reports,
        b.Images.ToArray<float>(), b.InputIds.ToArray<long>(), b.PadMask.ToArray<long>(), b.Labels.ToArray<long>());

    private static List<BatchData> Collect(CaptionLoader loader, int epoch)
    {
        var batches = new List<BatchData>();
        foreach (var b in loader.Epoch(epoch))
        {
            using (b)
                batches.Add(Copy(b));
        }
        return batches;
    }

    /// <summary>The batch computed row by row with <see cref="CaptionDataset.Get"/> on this thread.</summary>
    private static BatchData Direct(CaptionDataset dataset, int[] rows, Func<int, Random?> random)
    {
        var samples = rows.Select(r => dataset.Get(r, random(r))).ToArray();
        return new BatchData(rows, rows.Select(r => dataset.Rows[r].ImagePath).ToArray(), rows.Select(r => dataset.Rows[r].Report).ToArray(),
            samples.SelectMany(s => s.Image).ToArray(), samples.SelectMany(s => s.Text.InputIds).ToArray(),
            samples.SelectMany(s => s.Text.PadMask).ToArray(), samples.SelectMany(s => s.Text.LabelIds).ToArray());
    }

    /// <summary>Runs <paramref name="action"/> and fails (instead of hanging the test run) if it takes over 60 s.</summary>
    private static void WithinAMinute(Action action)
    {
        var task = Task.Run(action);
        Assert.True(task.Wait(TimeSpan.FromSeconds(60)), "the loader hung");
        task.GetAwaiter().GetResult();
    }

    [Theory]
    [InlineData(0, 4)]
    [InlineData(1, 4)]
    [InlineData(2, 1)]
    [InlineData(3, 4)]
    [InlineData(16, 2)]
    public void Batches_equal_the_direct_single_threaded_computation(int workers, int prefetch)
    {
        using var files = new LoaderFiles(11);
        var dataset = files.Dataset();
        using var loader = new CaptionLoader(dataset, new CaptionLoaderOptions { BatchSize = 4, Shuffle = true, Seed = 3, Workers = workers, Prefetch = prefetch });
        var order = LoaderSeed.Permutation(11, 3, 1);
        Assert.Equal(order, loader.Order(1));
        int[][] expectedRows = [order[..4], order[4..8], order[8..]];
        Assert.Equal(expectedRows, loader.Batches(1));
        var batches = Collect(loader, 1);
        Assert.Equal(3, batches.Count);
        for (var i = 0; i < 3; i++)
            batches[i].AssertEqual(Direct(dataset, expectedRows[i], _ => null));
        Assert.Equal(0, loader.ActiveWorkers);
    }

    [Fact]
    public void Augmented_batches_do_not_depend_on_the_thread_count_or_the_run()
    {
        using var files = new LoaderFiles(9);
        var dataset = files.AugmentedDataset();
        const int seed = 11, epoch = 2;
        List<BatchData>? first = null;
        foreach (var workers in new[] { 0, 1, 2, 5, 2, 5 })
        {
            using var loader = new CaptionLoader(dataset, new CaptionLoaderOptions { BatchSize = 2, Shuffle = true, Seed = seed, Workers = workers, Prefetch = 2 });
            var batches = Collect(loader, epoch);
            if (first is null)
            {
                first = batches;
                var expectedRows = loader.Batches(epoch);
                Assert.Equal(5, batches.Count);
                for (var i = 0; i < batches.Count; i++)
                    batches[i].AssertEqual(Direct(dataset, expectedRows[i], row => new Random(LoaderSeed.Row(seed, epoch, row))));
            }
            else
            {
                Assert.Equal(first.Count, batches.Count);
                for (var i = 0; i < batches.Count; i++)
                    batches[i].AssertEqual(first[i]);
            }
        }
        // Another epoch augments the same row differently.
        using var other = new CaptionLoader(dataset, new CaptionLoaderOptions { BatchSize = 9, Seed = seed, Workers = 2 });
        var epoch0 = Collect(other, 0)[0];
        var epoch1 = Collect(other, 1)[0];
        Assert.Equal(epoch0.Rows, epoch1.Rows);
        Assert.Equal(epoch0.Ids, epoch1.Ids);
        Assert.NotEqual(epoch0.Images, epoch1.Images);
    }

    [Fact]
    public void Shuffle_differs_across_epochs_but_is_reproducible()
    {
        using var files = new LoaderFiles(12);
        var dataset = files.Dataset();
        var options = new CaptionLoaderOptions { BatchSize = 5, Shuffle = true, Seed = 4, Workers = 2 };
        using var a = new CaptionLoader(dataset, options);
        using var b = new CaptionLoader(dataset, options);
        var rows0 = Collect(a, 0).SelectMany(x => x.Rows).ToArray();
        var rows1 = Collect(a, 1).SelectMany(x => x.Rows).ToArray();
        Assert.Equal(Enumerable.Range(0, 12), rows0.Order());
        Assert.Equal(Enumerable.Range(0, 12), rows1.Order());
        Assert.NotEqual(rows0, rows1);
        Assert.Equal(rows0, Collect(b, 0).SelectMany(x => x.Rows));
        Assert.Equal(rows1, Collect(b, 1).SelectMany(x => x.Rows));
        Assert.NotEqual(rows0, new CaptionLoader(dataset, options with { Seed = 5 }).Order(0));

        using var plain = new CaptionLoader(dataset, options with { Shuffle = false });
        Assert.Equal(Enumerable.Range(0, 12), Collect(plain, 0).SelectMany(x => x.Rows));
        Assert.Equal(Enumerable.Range(0, 12), Collect(plain, 3).SelectMany(x => x.Rows));
    }

    [Theory]
    [InlineData(10, 4, LastBatchPolicy.Keep, new[] { 4, 4, 2 })]
    [InlineData(10, 4, LastBatchPolicy.Drop, new[] { 4, 4 })]
    [InlineData(8, 4, LastBatchPolicy.Keep, new[] { 4, 4 })]
    [InlineData(8, 4, LastBatchPolicy.Drop, new[] { 4, 4 })]
    [InlineData(3, 5, LastBatchPolicy.Keep, new[] { 3 })]
    [InlineData(3, 5, LastBatchPolicy.Drop, new int[0])]
    public void Last_batch_policy(int rows, int batchSize, LastBatchPolicy policy, int[] sizes)
    {
        using var files = new LoaderFiles(rows);
        using var loader = new CaptionLoader(files.Dataset(), new CaptionLoaderOptions { BatchSize = batchSize, LastBatch = policy, Workers = 2 });
        Assert.Equal(sizes.Length, loader.BatchCount);
        var counts = new List<int>();
        foreach (var b in loader.Epoch(0))
        {
            using (b)
            {
                counts.Add(b.Count);
                Assert.Equal([b.Count, 3, 8, 8], b.Images.Shape);
                Assert.Equal([b.Count, LoaderFiles.TextLength], b.Labels.Shape);
            }
        }
        Assert.Equal(sizes, counts);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void Batches_are_owned_by_the_consumer_not_by_any_scope(int workers)
    {
        using var files = new LoaderFiles(5);
        using var loader = new CaptionLoader(files.Dataset(), new CaptionLoaderOptions { BatchSize = 5, Workers = workers });
        CaptionBatch batch;
        using (Libtorch.NewScope())
        {
            batch = loader.Epoch(0).Single();
            Assert.All(new[] { batch.Images, batch.InputIds, batch.PadMask, batch.Labels }, t => Assert.Null(t.Scope));
        }
        Assert.False(batch.Images.IsDisposed);
        Assert.Equal(DType.Float32, batch.Images.DType);
        Assert.Equal([5L, 3, 8, 8], batch.Images.Shape);
        Assert.All(new[] { batch.InputIds, batch.PadMask, batch.Labels }, t =>
        {
            Assert.Equal(DType.Int64, t.DType);
            Assert.Equal([5L, LoaderFiles.TextLength], t.Shape);
        });
        Assert.Equal(files.Rows.Select(r => r.Report), batch.Reports);
        batch.Dispose();
        Assert.True(batch.Images.IsDisposed);
        Assert.True(batch.Labels.IsDisposed);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_bad_file_surfaces_on_the_consumer_naming_the_file(int workers)
    {
        using var files = new LoaderFiles(10);
        var first = files.Truncate(7);
        files.Truncate(8);
        using var loader = new CaptionLoader(files.Dataset(), new CaptionLoaderOptions { BatchSize = 3, Workers = workers });
        for (var run = 0; run < 3; run++)
        {
            var delivered = 0;
            WithinAMinute(() =>
            {
                var e = Assert.Throws<ImageDecodeException>(() =>
                {
                    foreach (var b in loader.Epoch(0))
                    {
                        b.Dispose();
                        delivered++;
                    }
                });
                // Rows 6–8 form batch 2; of its two bad files, the earlier row is reported, every time.
                Assert.Equal(first, e.FileName);
                Assert.Contains(first, e.Message);
            });
            Assert.Equal(2, delivered);
            Assert.Equal(0, loader.ActiveWorkers);
        }
    }

    [Fact]
    public void A_missing_file_surfaces_naming_the_file()
    {
        using var files = new LoaderFiles(6);
        File.Delete(files.Rows[4].ImagePath);
        using var loader = new CaptionLoader(files.Dataset(), new CaptionLoaderOptions { BatchSize = 2, Workers = 2 });
        WithinAMinute(() =>
        {
            var e = Assert.Throws<ImageDecodeException>(() => Collect(loader, 0));
            Assert.Equal(files.Rows[4].ImagePath, e.FileName);
            Assert.Equal("file not found", e.Reason);
            Assert.Contains(files.Rows[4].ImagePath, e.Message);
        });
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void Cancellation_stops_the_epoch_and_its_workers(int workers)
    {
        using var files = new LoaderFiles(30);
        using var loader = new CaptionLoader(files.Dataset(), new CaptionLoaderOptions { BatchSize = 2, Workers = workers, Prefetch = 2 });
        WithinAMinute(() =>
        {
            using var cts = new CancellationTokenSource();
            var delivered = 0;
            Assert.ThrowsAny<OperationCanceledException>(() =>
            {
                foreach (var b in loader.Epoch(0, cts.Token))
                {
                    b.Dispose();
                    if (++delivered == 2)
                        cts.Cancel();
                }
            });
            Assert.Equal(2, delivered);
            Assert.Equal(0, loader.ActiveWorkers);

            Assert.ThrowsAny<OperationCanceledException>(() => loader.Epoch(0, cts.Token).First());
            Assert.Equal(0, loader.ActiveWorkers);
        });
        // The loader is still usable afterwards.
        Assert.Equal(15, Collect(loader, 0).Count);
    }

    [Fact]
    public void Leaving_an_epoch_early_stops_its_workers()
    {
        using var files = new LoaderFiles(30);
        using var loader = new CaptionLoader(files.Dataset(), new CaptionLoaderOptions { BatchSize = 2, Workers = 3, Prefetch = 1 });
        WithinAMinute(() =>
        {
            foreach (var b in loader.Epoch(0))
            {
                b.Dispose();
                break;
            }
            Assert.Equal(0, loader.ActiveWorkers);
        });
    }

    [Fact]
    public void Disposing_the_loader_stops_an_epoch_in_progress()
    {
        using var files = new LoaderFiles(30);
        var loader = new CaptionLoader(files.Dataset(), new CaptionLoaderOptions { BatchSize = 2, Workers = 3, Prefetch = 1 });
        WithinAMinute(() =>
        {
            using var epoch = loader.Epoch(0).GetEnumerator();
            Assert.True(epoch.MoveNext());
            epoch.Current.Dispose();
            Assert.True(loader.ActiveWorkers > 0);
            loader.Dispose();
            Assert.Equal(0, loader.ActiveWorkers);
            Assert.Throws<ObjectDisposedException>(() => epoch.MoveNext());
        });
        Assert.Throws<ObjectDisposedException>(() => loader.Epoch(0));
        loader.Dispose();
    }

    [Fact]
    public void Invalid_options_are_refused_naming_the_property()
    {
        using var files = new LoaderFiles(2);
        var dataset = files.Dataset();
        Assert.Contains("BatchSize", Assert.Throws<ArgumentException>(() => new CaptionLoader(dataset, new CaptionLoaderOptions { BatchSize = 0 })).Message);
        Assert.Contains("Workers", Assert.Throws<ArgumentException>(() => new CaptionLoader(dataset, new CaptionLoaderOptions { Workers = -1 })).Message);
        Assert.Contains("Prefetch", Assert.Throws<ArgumentException>(() => new CaptionLoader(dataset, new CaptionLoaderOptions { Prefetch = 0 })).Message);
        Assert.Contains("LastBatch", Assert.Throws<ArgumentException>(() => new CaptionLoader(dataset, new CaptionLoaderOptions { LastBatch = (LastBatchPolicy)7 })).Message);
        using var loader = new CaptionLoader(dataset);
        Assert.Throws<ArgumentOutOfRangeException>(() => loader.Epoch(-1));
        Assert.Equal(Environment.ProcessorCount, loader.Options.Workers);
        Assert.Equal(16, loader.Options.BatchSize);
        Assert.Equal(LastBatchPolicy.Keep, loader.Options.LastBatch);
    }
}

/// <summary>The loader's workers decode under a memory budget: with room for one image, one at a time, same batches.</summary>
public class CaptionLoaderMemoryTests
{
    [Fact]
    public void Workers_decode_one_image_at_a_time_when_the_budget_holds_one_and_the_batches_are_unchanged()
    {
        using var files = new LoaderFiles(12);
        var free = files.Dataset();
        var tight = files.Dataset(new CaptionDatasetOptions { DecodeMemoryBudget = 1 });
        float[] Images(CaptionDataset d)
        {
            using var loader = new CaptionLoader(d, new CaptionLoaderOptions { BatchSize = 4, Seed = 5, Workers = 4, Prefetch = 3 });
            var all = new List<float>();
            foreach (var b in loader.Epoch(1)) using (b) all.AddRange(b.Images.ToArray<float>());
            return all.ToArray();
        }
        Assert.Equal(Images(free), Images(tight));
        Assert.Equal(1, tight.DecodeBudget.PeakCount);
        Assert.True(free.DecodeBudget.PeakCount >= 1);
        Assert.Throws<ArgumentException>(() => files.Dataset(new CaptionDatasetOptions { DecodeMemoryBudget = 0 }));
    }
}

using Micar.Data;
using Micar.Data.Images;
using Micar.Data.Loading;
using Xunit;

namespace Micar.Tests.Loading;

public sealed class CaptionDatasetTests
{
    [Fact]
    public void Get_decodes_transforms_and_tokenizes_its_row()
    {
        using var files = new LoaderFiles(6);
        var dataset = files.Dataset();
        Assert.Equal(6, dataset.Count);
        Assert.Equal(Enumerable.Range(0, 6), dataset.SourceRows);
        Assert.Empty(dataset.Skipped);
        foreach (var i in new[] { 0, 3, 5 })
        {
            var sample = dataset.Get(i);
            Assert.Equal(LoaderFiles.Transform.Apply(ImageIO.Load(files.Rows[i].ImagePath)), sample.Image);
            var text = LoaderFiles.Tokenizer.Encode(LoaderFiles.Report(i), LoaderFiles.TextLength);
            Assert.Equal(text.InputIds, sample.Text.InputIds);
            Assert.Equal(text.PadMask, sample.Text.PadMask);
            Assert.Equal(text.LabelIds, sample.Text.LabelIds);
        }
        // Row 2 is "is no pneumothorax"; ids the 4, lung 5, is 6, clear 7, . 8, no 9, effusion 10, so
        // <sos> is no <unk> <eos> and padding.
        Assert.Equal("is no pneumothorax", LoaderFiles.Report(2));
        Assert.Equal([1, 6, 9, 3, 2, 0, 0, 0, 0], dataset.Get(2).Text.InputIds);
        Assert.Equal([6, 9, 3, 2, 0, 0, 0, 0, 0], dataset.Get(2).Text.LabelIds);
    }

    [Fact]
    public void An_augmenting_dataset_needs_a_random_and_is_deterministic_given_one()
    {
        using var files = new LoaderFiles(3);
        var dataset = files.AugmentedDataset();
        Assert.True(dataset.Images.IsRandom);
        Assert.Throws<ArgumentNullException>(() => dataset.Get(0));
        Assert.Equal(dataset.Get(1, new Random(5)).Image, dataset.Get(1, new Random(5)).Image);
        Assert.NotEqual(dataset.Get(1, new Random(5)).Image, dataset.Get(1, new Random(6)).Image);
    }

    [Fact]
    public void FromCsv_resolves_image_ids_against_the_csv_folder()
    {
        using var files = new LoaderFiles(4);
        var csv = Path.Combine(files.Directory, "train.csv");
        ReportCsv.Write(csv, files.Rows.Select(r => new ReportRecord(Path.GetFileName(r.ImagePath), r.Report)));
        var dataset = CaptionDataset.FromCsv(csv, LoaderFiles.Tokenizer, LoaderFiles.Transform, LoaderFiles.TextLength);
        Assert.Equal(csv, dataset.Source);
        Assert.Equal(files.Rows.Select(r => Path.GetFullPath(r.ImagePath)), dataset.Rows.Select(r => r.ImagePath));
        Assert.Equal(files.Rows.Select(r => r.Report), dataset.Rows.Select(r => r.Report));
        Assert.Equal(dataset.Get(3).Image, files.Dataset().Get(3).Image);
    }

    [Fact]
    public void Skip_bad_drops_missing_and_undecodable_images_and_reports_them()
    {
        using var files = new LoaderFiles(8);
        var truncated = files.Truncate(1);
        var missing = files.Rows[2].ImagePath;
        File.Delete(missing);
        var text = files.Rows[4].ImagePath;
        File.WriteAllText(text, "not an image");
        var empty = files.Rows[6].ImagePath;
        File.WriteAllBytes(empty, []);
        var folder = files.Rows[7].ImagePath;
        File.Delete(folder);
        Directory.CreateDirectory(folder);

        var dataset = files.Dataset(new CaptionDatasetOptions { SkipBad = true, CheckThreads = 2 });
        Assert.Equal(8, dataset.SourceCount);
        Assert.Equal([0, 3, 5], dataset.SourceRows);
        Assert.Equal([0, 3, 5], dataset.Rows.Select(r => files.Rows.IndexOf(r)));
        Assert.Equal([1, 2, 4, 6, 7], dataset.Skipped.Select(s => s.SourceRow));
        Assert.Equal([truncated, missing, text, empty, folder], dataset.Skipped.Select(s => s.ImagePath));
        Assert.Contains("truncated", dataset.Skipped[0].Reason);
        Assert.Equal("file not found", dataset.Skipped[1].Reason);
        Assert.Contains("not a PNG or JPEG file", dataset.Skipped[2].Reason);
        Assert.Equal("the file is empty", dataset.Skipped[3].Reason);
        Assert.Equal("is a directory, not a file", dataset.Skipped[4].Reason);

        var report = dataset.DescribeSkipped();
        Assert.StartsWith($"{files.Directory}: skipped 5 of 8 rows whose image is missing or undecodable", report);
        Assert.Contains($"row 2: {missing}: file not found", report);
        Assert.Equal(6, report.Split('\n').Length);
        var shortReport = dataset.DescribeSkipped(maxListed: 1);
        Assert.Contains($"row 1: {truncated}: ", shortReport);
        Assert.EndsWith("… and 4 more", shortReport);

        // The kept rows load as before, and batches only contain them.
        Assert.Equal(files.Dataset().Get(5).Image, dataset.Get(2).Image);
        using var loader = new CaptionLoader(dataset, new CaptionLoaderOptions { BatchSize = 3, Workers = 2 });
        var paths = loader.Epoch(0).SelectMany(b => { using (b) return b.ImagePaths; }).ToArray();
        Assert.Equal(dataset.Rows.Select(r => r.ImagePath), paths);
    }

    [Fact]
    public void Header_check_reads_only_the_start_of_each_file()
    {
        using var files = new LoaderFiles(5);
        files.Truncate(1);
        File.Delete(files.Rows[2].ImagePath);
        File.WriteAllBytes(files.Rows[4].ImagePath, "GIF89a\x01\x00\x01\x00"u8.ToArray());
        var dataset = files.Dataset(new CaptionDatasetOptions { SkipBad = true, Check = ImageCheck.Header });
        // The truncated PNG has an intact header: kept (it fails when loaded). The GIF is refused by name.
        Assert.Equal([0, 1, 3], dataset.SourceRows);
        Assert.Equal("GIF images are not supported (only PNG and JPEG)", dataset.Skipped[1].Reason);
        Assert.Throws<ImageDecodeException>(() => dataset.Get(1));
    }

    [Fact]
    public void Without_skip_bad_nothing_is_checked_up_front()
    {
        using var files = new LoaderFiles(3);
        File.Delete(files.Rows[1].ImagePath);
        var dataset = files.Dataset();
        Assert.Equal(3, dataset.Count);
        Assert.Equal($"{files.Directory}: no rows skipped", dataset.DescribeSkipped());
        var e = Assert.Throws<ImageDecodeException>(() => dataset.Get(1));
        Assert.Equal(files.Rows[1].ImagePath, e.FileName);
        Assert.Equal("file not found", e.Reason);
        Assert.IsType<FileNotFoundException>(e.InnerException);
        Assert.Contains(files.Rows[1].ImagePath, e.Message);
    }

    [Fact]
    public void Skipping_every_row_is_an_error_naming_the_files()
    {
        using var files = new LoaderFiles(2, withJpeg: false);
        foreach (var r in files.Rows)
            File.Delete(r.ImagePath);
        var e = Assert.Throws<InvalidDataException>(() => files.Dataset(new CaptionDatasetOptions { SkipBad = true }));
        Assert.Contains("every row was skipped", e.Message);
        Assert.Contains(files.Rows[1].ImagePath, e.Message);
    }

    [Fact]
    public void Invalid_arguments_are_refused()
    {
        using var files = new LoaderFiles(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CaptionDataset(files.Rows, LoaderFiles.Tokenizer, LoaderFiles.Transform, 1));
        var e = Assert.Throws<ArgumentException>(() => files.Dataset(new CaptionDatasetOptions { CheckThreads = 0 }));
        Assert.Contains("CheckThreads", e.Message);
        Assert.Throws<ArgumentException>(() => new CaptionDataset([new CaptionRow("a.png", null!)], LoaderFiles.Tokenizer, LoaderFiles.Transform, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => files.Dataset().Get(1));
    }
}

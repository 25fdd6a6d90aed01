using Micar.Data;
using Micar.Data.Synthetic;
using Micar.Training;
using Xunit;

namespace Micar.Tests.Data;

public sealed class DatasetFolderTests
{
    [Fact]
    public void The_layout_names_the_split_files_columns_and_marker()
    {
        var folder = new DatasetFolder("/data/x");
        Assert.Equal(Path.Combine("/data/x", "train.csv"), folder.SplitCsv(DatasetFolder.Train));
        Assert.Equal(Path.Combine("/data/x", "val.csv"), folder.SplitCsv("val"));
        Assert.Equal(Path.Combine("/data/x", "dataset.json"), folder.SyntheticMarkerPath);
        Assert.Equal(["train", "val", "test"], DatasetFolder.Splits);
        Assert.Equal(["image_id", "findings"], ReportCsv.Header);
        Assert.Equal("train.csv, val.csv, test.csv with image_id,findings", DatasetFolder.LayoutDescription);
        Assert.StartsWith("image_id,findings,", SynthDataset.Header);
    }

    [Fact]
    public void The_synthetic_writer_and_the_split_reader_share_the_layout()
    {
        using var tmp = new DataFixtures.TempDir();
        var folder = new DatasetFolder(tmp.Path);
        Assert.False(folder.IsSynthetic);
        SynthDataset.Write(tmp.Path, n: 10, seed: 1, size: SyntheticGenerator.MinSize, maxDegreeOfParallelism: 1);
        Assert.True(folder.IsSynthetic);
        var counts = DatasetFolder.Splits.Select(s => SplitData.Load(tmp.Path, s)).Select(d => d.Count).ToArray();
        Assert.Equal([8, 1, 1], counts);
        Assert.All(DatasetFolder.Splits, s => Assert.StartsWith(SynthDataset.Header + "\n", File.ReadAllText(folder.SplitCsv(s))));
    }

    [Fact]
    public void A_missing_split_file_names_it_and_the_layout()
    {
        using var tmp = new DataFixtures.TempDir();
        tmp.File("train.csv", "image_id,findings\na.png,x .\n");
        var e = Assert.Throws<FileNotFoundException>(() => SplitData.Load(tmp.Path, "val"));
        Assert.Equal($"dataset '{tmp.Path}' has no val.csv (expected the standard layout: train.csv, val.csv, test.csv with image_id,findings)", e.Message);
        Assert.Equal(new DatasetFolder(tmp.Path).SplitCsv("val"), e.FileName);
    }
}

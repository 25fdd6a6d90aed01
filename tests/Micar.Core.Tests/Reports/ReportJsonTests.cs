using Micar.Reports;
using Xunit;

namespace Micar.Tests.Reports;

public sealed class ReportJsonTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Explain_data_round_trips()
    {
        var data = ReportSamples.Explain();
        var path = _temp.Combine("explain.json");
        ReportJson.Save(data, path);
        var back = ReportJson.LoadExplain(path);
        Assert.Equal(ReportJson.Serialize(data), ReportJson.Serialize(back));
        Assert.Equal(data.Image.Pixels, back.Image.Pixels);
        Assert.Equal(data.CrossAttention[1][3][2][17], back.CrossAttention[1][3][2][17]);
        Assert.Equal(data.Routing[0].Chosen[4], back.Routing[0].Chosen[4]);
        Assert.Contains("\"crossAttention\":", File.ReadAllText(path));
        Assert.DoesNotContain("generatedText", File.ReadAllText(path));
    }

    [Fact]
    public void Run_data_round_trips_with_non_finite_losses()
    {
        var data = ReportSamples.Run([new GalleryItem { ImagePath = "a.png", Generated = "g" }]);
        data = data with { Epochs = [data.Epochs[0] with { TrainLoss = double.NaN }, .. data.Epochs[1..]] };
        var path = _temp.Combine("run.json");
        ReportJson.Save(data, path);
        var back = ReportJson.LoadRunReport(path);
        Assert.True(double.IsNaN(back.Epochs[0].TrainLoss));
        Assert.Equal(data.Epochs[1].LearningRates["rest"], back.Epochs[1].LearningRates["rest"]);
        Assert.Equal(["backbone", "rest"], back.Epochs[3].LearningRates.Keys);
        Assert.Equal(ReportJson.Serialize(data), ReportJson.Serialize(back));
    }

    [Fact]
    public void Bad_files_name_the_file_and_the_field()
    {
        var path = _temp.Combine("bad.json");
        File.WriteAllText(path, "{\"image\":{\"width\":2,\"height\":1,\"channels\":1,\"pixels\":\"AAA=\"},\"tokens\":[\"a\"],\"gridRows\":1,\"gridCols\":1,"
            + "\"crossAttention\":[[[[1.0, 0.0]]]]}");
        var e = Assert.Throws<ReportDataException>(() => ReportJson.LoadExplain(path));
        Assert.Equal($"{path}: CrossAttention[0][0][0]", e.Field);
        Assert.Contains("has 2 entries, expected 1", e.Message);

        File.WriteAllText(path, "{\"runName\": 3}");
        var syntax = Assert.Throws<ReportDataException>(() => ReportJson.LoadRunReport(path));
        Assert.Equal($"{path}: $.runName", syntax.Field);

        File.WriteAllText(path, "{\"epochs\": []}");
        Assert.Contains("runName", Assert.Throws<ReportDataException>(() => ReportJson.LoadRunReport(path)).Message);
    }
}

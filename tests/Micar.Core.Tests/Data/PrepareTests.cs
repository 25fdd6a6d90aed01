using System.Text.Json;
using Micar.Data;
using Xunit;

namespace Micar.Tests.Data;

public sealed class PrepareTests
{
    private static List<(string Image, string Findings)> Expected(JsonElement split, string officialPrefix) =>
        split.GetProperty("rows").EnumerateArray()
            .Select(r => (r[0].GetString()!.Replace(officialPrefix, ""), r[1].GetString()!)).ToList();

    private static List<(string Image, string Findings)> Written(string csv) =>
        ReportCsv.Read(csv).Select(r => (r.ImageId.StartsWith("../", StringComparison.Ordinal) ? r.ImageId[3..] : r.ImageId, r.Findings)).ToList();


    [Fact]
    public void Covctr_splits_cleaning_and_dropna_match_the_official_pipeline()
    {
        using var tmp = new DataFixtures.TempDir();
        var fx = DataFixtures.Json("prepare_covctr.json");
        tmp.File("reports_ZH_EN.csv", fx.GetProperty("raw_csv").GetString()!);
        foreach (var img in fx.GetProperty("images").EnumerateArray()) tmp.File(img.GetString()!);
        var exp = fx.GetProperty("expected");

        var result = Prepare.Run("COVCTR", tmp.Path, Path.Combine(tmp.Path, "out"));

        Assert.Equal("covctr", result.Dataset);
        foreach (var (name, csv, count) in new[] { ("train", result.TrainCsv, result.Train), ("val", result.ValCsv, result.Val), ("test", result.TestCsv, result.Test) })
        {
            var want = Expected(exp.GetProperty(name), "data/covctr/images/");
            Assert.Equal(want, Written(csv));
            Assert.Equal(want.Count, count);
        }
        int droppedExpected = new[] { "train", "val", "test" }.Sum(s => exp.GetProperty(s).GetProperty("dropped").GetInt32());
        Assert.True(droppedExpected > 0);
        Assert.Equal(droppedExpected, result.Dropped.Count);
        Assert.All(result.Dropped, d => Assert.Contains("column 'note' is empty", d.Reason));
        Assert.Empty(result.Skipped);
        Assert.StartsWith("image_id,findings\n../img_", File.ReadAllText(result.TrainCsv));
    }

    [Fact]
    public void Covctr_bad_rows_fail_or_are_skipped_without_moving_other_rows()
    {
        using var tmp = new DataFixtures.TempDir();
        var fx = DataFixtures.Json("prepare_covctr.json");
        tmp.File("reports_ZH_EN.csv", fx.GetProperty("raw_csv").GetString()!);
        tmp.File("images/.keep");
        foreach (var img in fx.GetProperty("images").EnumerateArray())
            if (img.GetString() != "img_007.png") tmp.Image("images/" + img.GetString()!);
        var exp = fx.GetProperty("expected");

        var e = Assert.Throws<PrepareException>(() => Prepare.Run("covctr", tmp.Path, Path.Combine(tmp.Path, "out")));
        Assert.Contains("reports_ZH_EN.csv line 10: image file not found: images/img_007.png", e.Message);
        Assert.Single(e.Issues);

        var result = Prepare.Run("covctr", tmp.Path, Path.Combine(tmp.Path, "out"), skipBad: true);
        var skipped = Assert.Single(result.Skipped);
        Assert.Equal("reports_ZH_EN.csv line 10", skipped.Origin);
        foreach (var (name, csv) in new[] { ("train", result.TrainCsv), ("val", result.ValCsv), ("test", result.TestCsv) })
        {
            var want = Expected(exp.GetProperty(name), "data/covctr/images/").Where(r => r.Image != "img_007.png")
                .Select(r => ("images/" + r.Image, r.Findings)).ToList();
            Assert.Equal(want, Written(csv));
        }
    }

    [Fact]
    public void Pgross_matches_the_official_pipeline()
    {
        using var tmp = new DataFixtures.TempDir();
        var fx = DataFixtures.Json("prepare_pgross.json");
        tmp.File("peir_gross_captions.json", fx.GetProperty("captions_json").GetString()!);
        foreach (var img in fx.GetProperty("images").EnumerateArray()) tmp.File("images/" + img.GetString()!);
        var exp = fx.GetProperty("expected");

        var result = Prepare.Run("pgross", tmp.Path, Path.Combine(tmp.Path, "out"));

        foreach (var (name, csv) in new[] { ("train", result.TrainCsv), ("val", result.ValCsv), ("test", result.TestCsv) })
            Assert.Equal(Expected(exp.GetProperty(name), "data/pgross/"), Written(csv));
        Assert.Equal(2, result.Dropped.Count);
        Assert.All(result.Dropped, d => Assert.Equal("", d.Split));
        Assert.Contains(result.Dropped, d => d.Origin == "peir_gross_captions.json key \"img05.jpg\"");
    }

    [Fact]
    public void Mmretinal_matches_the_official_pipeline()
    {
        using var tmp = new DataFixtures.TempDir();
        var fx = DataFixtures.Json("prepare_mmretinal.json");
        foreach (var m in fx.GetProperty("csv").EnumerateObject()) tmp.File($"{m.Name}_translated_v1.csv", m.Value.GetString()!);
        foreach (var f in fx.GetProperty("files").EnumerateArray()) tmp.File(f.GetString()!);
        var exp = fx.GetProperty("expected");

        var result = Prepare.Run("mmr", tmp.Path, Path.Combine(tmp.Path, "out"));

        Assert.Equal("mmretinal", result.Dataset);
        foreach (var (name, csv) in new[] { ("train", result.TrainCsv), ("val", result.ValCsv), ("test", result.TestCsv) })
            Assert.Equal(Expected(exp.GetProperty(name), "\0"), Written(csv));
        int dropped = new[] { "train", "val", "test" }.Sum(s => exp.GetProperty(s).GetProperty("dropped").GetInt32());
        Assert.Equal(6, dropped); // ids ending in .png and ids without a file, in each of the three modalities
        Assert.Equal(dropped, result.Dropped.Count);
        Assert.Contains(result.Dropped, d => d.Origin == "CFP_translated_v1.csv line 5" && d.Reason.Contains("cfp_03.png"));
    }

    [Fact]
    public void Roco_reads_the_roco_dataset_layout()
    {
        using var tmp = new DataFixtures.TempDir();
        tmp.File("train/radiology/captions.txt", "ROCO_00001\t A 45-year-old man. CT of 3 cm mass\nROCO_00002\t Axial MRI (coronal view).\r\n\n");
        tmp.Image("train/radiology/images/ROCO_00001.png");
        tmp.Image("train/radiology/images/ROCO_00002.jpg");
        tmp.File("validation/radiology/captions.txt", "ROCO_00010\tChest X-ray, normal\n");
        tmp.File("validation/radiology/dlinks.txt", "ROCO_00010\twget -r ftp://ftp.ncbi.nlm.nih.gov/pub/pmc/oa_package/69/93/PMC3498864.tar.gz -P /path/to/Dir\tjovr-04-256f2.jpg\n");
        tmp.Image("validation/radiology/images/PMC3498864_jovr-04-256f2.jpg");
        tmp.File("test/captions.txt", "ROCO_00020\tUltrasound.\nbroken line without tab\n");
        tmp.Image("test/images/ROCO_00020.png");

        var e = Assert.Throws<PrepareException>(() => Prepare.Run("roco", tmp.Path, Path.Combine(tmp.Path, "out")));
        Assert.Contains("test/captions.txt line 2: no tab between the image id and the caption", e.Message);

        var result = Prepare.Run("roco", tmp.Path, Path.Combine(tmp.Path, "out"), skipBad: true);
        Assert.Equal((2, 1, 1), (result.Train, result.Val, result.Test));
        Assert.Equal(
            [new ReportRecord("../train/radiology/images/ROCO_00001.png", "a xxxx man .  ct of xxxx mass ."),
             new ReportRecord("../train/radiology/images/ROCO_00002.jpg", "axial mri (coronal view) .")],
            ReportCsv.Read(result.TrainCsv));
        Assert.Equal([new ReportRecord("../validation/radiology/images/PMC3498864_jovr-04-256f2.jpg", "chest x-ray ,  normal .")],
            ReportCsv.Read(result.ValCsv));
        Assert.Equal("test", Assert.Single(result.Skipped).Split);
    }

    [Fact]
    public void Iuxray_reads_r2gen_annotation_json()
    {
        using var tmp = new DataFixtures.TempDir();
        tmp.File("annotation.json", """
            {"train": [{"id": "CXR1_1_IM-0001", "report": "The heart is normal. 1. No effusion. 2. Clear.", "image_path": ["CXR1_1_IM-0001/0.png", "CXR1_1_IM-0001/1.png"], "split": "train"},
                       {"id": "CXR2", "report": "Lungs clear. . Normal.", "image_path": ["CXR2/0.png"], "split": "train"}],
             "val": [{"id": "CXR3", "report": "No acute disease.", "image_path": ["CXR3/0.png"], "split": "val"}],
             "test": [{"id": "CXR4", "report": "Stable.", "image_path": [], "split": "test"}]}
            """);
        foreach (var p in new[] { "CXR1_1_IM-0001/0.png", "CXR2/0.png", "CXR3/0.png" }) tmp.Image("images/" + p);
        string outDir = Path.Combine(tmp.Path, "prepared");

        var e = Assert.Throws<PrepareException>(() => Prepare.Run("iu_xray", tmp.Path, outDir));
        Assert.Contains("annotation.json test[0] (id CXR4): field 'image_path' is missing or not a non-empty list of strings", e.Message);

        var result = Prepare.Run("iuxray", tmp.Path, outDir, skipBad: true);
        Assert.Equal((2, 1, 0), (result.Train, result.Val, result.Test));
        Assert.Equal(
            [new ReportRecord("../images/CXR1_1_IM-0001/0.png", "the heart is normal . no effusion . clear ."),
             new ReportRecord("../images/CXR2/0.png", "lungs clear .  . normal .")],
            ReportCsv.Read(result.TrainCsv));
        Assert.Equal("image_id,findings\n", File.ReadAllText(result.TestCsv));
    }

    [Fact]
    public void Errors_name_the_missing_file_column_or_dataset()
    {
        using var tmp = new DataFixtures.TempDir();
        var f = Assert.Throws<FileNotFoundException>(() => Prepare.Run("covctr", tmp.Path, Path.Combine(tmp.Path, "o")));
        Assert.Contains("'reports.csv', 'reports_ZH_EN.csv'", f.Message);

        tmp.File("reports.csv", "image_id,findings,reports_english\na.png,x,y\n");
        var c = Assert.Throws<InvalidDataException>(() => Prepare.Run("covctr", tmp.Path, Path.Combine(tmp.Path, "o")));
        Assert.Contains("reports.csv: column 'reports_En' not found", c.Message);

        tmp.File("CFP_translated_v1.csv", "Image_ID,en_caption\nx,y\n");
        tmp.File("FFA_translated_v1.csv", "Image_ID,en_caption\nx,y\n");
        var m = Assert.Throws<FileNotFoundException>(() => Prepare.Run("mmretinal", tmp.Path, Path.Combine(tmp.Path, "o")));
        Assert.Contains("'OCT_translated_v1.csv'", m.Message);
        tmp.File("OCT_translated_v1.csv", "Image_ID,en_caption\nx,y\n");
        var d = Assert.Throws<DirectoryNotFoundException>(() => Prepare.Run("mmretinal", tmp.Path, Path.Combine(tmp.Path, "o")));
        Assert.Contains("CFP", d.Message);

        Assert.Contains("known: covctr", Assert.Throws<ArgumentException>(() => Prepare.Run("mimic", tmp.Path, "o")).Message);
        Assert.Throws<DirectoryNotFoundException>(() => Prepare.Run("covctr", Path.Combine(tmp.Path, "nope"), "o"));
        var r = Assert.Throws<FileNotFoundException>(() => Prepare.Run("roco", tmp.Path, "o"));
        Assert.Contains("captions.txt not found", r.Message);
    }

    [Fact]
    public void Covctr_empty_report_is_a_bad_row()
    {
        using var tmp = new DataFixtures.TempDir();
        var lines = new List<string> { "image_id,reports_En" };
        for (int i = 0; i < 12; i++)
        {
            lines.Add($"i{i}.png,{(i == 4 ? "\"( )\"" : i == 6 ? "" : "Report number " + i)}");
            tmp.Image($"i{i}.png");
        }
        tmp.File("reports.csv", string.Join("\n", lines) + "\n");
        var e = Assert.Throws<PrepareException>(() => Prepare.Run("covctr", tmp.Path, Path.Combine(tmp.Path, "o")));
        Assert.Equal(2, e.Issues.Count);
        Assert.Equal("reports.csv line 6: column 'reports_En' is empty after cleaning", $"{e.Issues[0].Origin}: {e.Issues[0].Reason}");
        Assert.Equal("reports.csv line 8: column 'reports_En' is empty", $"{e.Issues[1].Origin}: {e.Issues[1].Reason}");
        var result = Prepare.Run("covctr", tmp.Path, Path.Combine(tmp.Path, "o"), skipBad: true);
        Assert.Equal(10, result.Train + result.Val + result.Test);
        var all = SplitPlan.Covctr.Apply(12);
        Assert.Equal(all.Train.Count(i => i is not 4 and not 6), result.Train);
    }
}

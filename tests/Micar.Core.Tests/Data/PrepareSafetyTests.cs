using Micar.Data;
using Micar.Data.Loading;
using Xunit;

namespace Micar.Tests.Data;

/// <summary>Prepare against hostile layouts: corrupt images, image paths leaving the root, unknown dataset names.</summary>
public sealed class PrepareSafetyTests
{
    /// <summary>A COVCTR layout <c>tmp/ds</c> of 12 rows whose image ids come from <paramref name="id"/>; the default
    /// id <c>i{n}.png</c> gets a valid image in <c>images/</c>.</summary>
    private static string Covctr(DataFixtures.TempDir tmp, Func<int, string?> id)
    {
        var lines = new List<string> { "image_id,reports_En" };
        for (int i = 0; i < 12; i++)
        {
            string image = id(i) ?? $"i{i}.png";
            if (id(i) is null) tmp.Image($"ds/images/{image}");
            lines.Add($"\"{image}\",Report number {i}.");
        }
        tmp.File("ds/reports.csv", string.Join("\n", lines) + "\n");
        return Path.Combine(tmp.Path, "ds");
    }

    private static List<string> WrittenIds(PrepareResult r) =>
        new[] { r.TrainCsv, r.ValCsv, r.TestCsv }.SelectMany(ReportCsv.Read).Select(x => x.ImageId).ToList();

    [Fact]
    public void Skip_bad_decodes_every_image_and_lists_the_corrupt_ones_with_the_reason()
    {
        using var tmp = new DataFixtures.TempDir();
        string root = Covctr(tmp, _ => null);
        byte[] png = File.ReadAllBytes(Path.Combine(root, "images", "i0.png"));
        File.WriteAllBytes(Path.Combine(root, "images", "i3.png"), []);
        File.WriteAllBytes(Path.Combine(root, "images", "i5.png"), png[..45]); // cut inside the IDAT chunk
        File.WriteAllText(Path.Combine(root, "images", "i7.png"), "not an image at all");
        File.WriteAllBytes(Path.Combine(root, "images", "i9.png"), [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10]); // a JPEG start only
        string outDir = Path.Combine(tmp.Path, "out");

        var result = Prepare.Run("covctr", root, outDir, skipBad: true);

        Assert.Equal(
            ["reports.csv line 11", "reports.csv line 5", "reports.csv line 7", "reports.csv line 9"],
            result.Skipped.Select(s => s.Origin).Order(StringComparer.Ordinal));
        Assert.All(result.Skipped, s => Assert.Matches(@"^image images/i\d\.png is unusable: ", s.Reason));
        Assert.Contains(result.Skipped, s => s.Reason.EndsWith("the file is empty", StringComparison.Ordinal));
        Assert.Equal(8, result.Train + result.Val + result.Test);
        Assert.DoesNotContain(WrittenIds(result), i => i.EndsWith("i5.png", StringComparison.Ordinal));
        var all = SplitPlan.Covctr.Apply(12); // the bad rows still took part in splitting
        Assert.Equal(all.Train.Count(i => i is not 3 and not 5 and not 7 and not 9), result.Train);

        // The header check only reads the first bytes: the truncated PNG and the bare JPEG start pass it.
        var header = Prepare.Run("covctr", root, outDir, new PrepareOptions { SkipBad = true, ImageCheck = ImageCheck.Header });
        Assert.Equal(["reports.csv line 5", "reports.csv line 9"], header.Skipped.Select(s => s.Origin).Order(StringComparer.Ordinal));

        // Without skipBad only existence (inside the root) is checked, so preparing stays fast.
        var plain = Prepare.Run("covctr", root, outDir);
        Assert.Equal(12, plain.Train + plain.Val + plain.Test);
        Assert.Empty(plain.Skipped);
    }

    [Fact]
    public void Image_paths_leaving_the_root_fail_or_are_skipped_naming_the_row_and_the_path()
    {
        using var tmp = new DataFixtures.TempDir();
        string secret = tmp.Image("secret.png"); // beside the dataset root, not in it
        Directory.CreateDirectory(Path.Combine(tmp.Path, "elsewhere"));
        File.Copy(secret, Path.Combine(tmp.Path, "elsewhere", "x.png"));
        string root = Covctr(tmp, i => i switch
        {
            1 => "../../secret.png",
            2 => secret, // absolute
            4 => "link.png", // a link to a file outside
            6 => "dir/x.png", // through a linked folder outside
            8 => "inner.png", // a link that stays inside: fine
            10 => "sub/../../../secret.png",
            _ => null,
        });
        File.CreateSymbolicLink(Path.Combine(root, "images", "link.png"), secret);
        Directory.CreateSymbolicLink(Path.Combine(root, "images", "dir"), Path.Combine(tmp.Path, "elsewhere"));
        File.CreateSymbolicLink(Path.Combine(root, "images", "inner.png"), "i0.png");
        Directory.CreateDirectory(Path.Combine(root, "images", "sub"));
        string outDir = Path.Combine(tmp.Path, "out");

        var e = Assert.Throws<PrepareException>(() => Prepare.Run("covctr", root, outDir));
        Assert.Equal(
            ["reports.csv line 3", "reports.csv line 4", "reports.csv line 6", "reports.csv line 8", "reports.csv line 12"],
            e.Issues.Select(i => i.Origin));
        Assert.Contains("reports.csv line 3: image path '../../secret.png' leaves the dataset root (it resolves to " + secret + ")", e.Message);
        Assert.Contains($"reports.csv line 4: image path '{secret}' leaves the dataset root", e.Message);
        Assert.All(e.Issues, i => Assert.Contains("leaves the dataset root", i.Reason));
        Assert.False(File.Exists(Path.Combine(outDir, "train.csv")));

        var result = Prepare.Run("covctr", root, outDir, skipBad: true);
        Assert.Equal(e.Issues.Select(i => (i.Origin, i.Reason)).Order(), result.Skipped.Select(i => (i.Origin, i.Reason)).Order());
        var written = WrittenIds(result);
        Assert.Equal(7, written.Count);
        Assert.Contains("../ds/images/inner.png", written);
        Assert.DoesNotContain(written, i => i.Contains("secret", StringComparison.Ordinal) || i.Contains("dir/", StringComparison.Ordinal));
    }

    [Fact]
    public void Json_sources_refuse_paths_leaving_the_root_too()
    {
        using var tmp = new DataFixtures.TempDir();
        tmp.Image("secret.png");
        string root = Path.Combine(tmp.Path, "iu");
        tmp.File("iu/annotation.json", """
            {"train": [{"id": "A", "report": "Normal.", "image_path": ["../../secret.png"]},
                       {"id": "B", "report": "Clear.", "image_path": ["B/0.png"]}],
             "val": [], "test": []}
            """);
        tmp.Image("iu/images/B/0.png");
        var e = Assert.Throws<PrepareException>(() => Prepare.Run("iuxray", root, Path.Combine(tmp.Path, "o")));
        Assert.Contains("annotation.json train[0] (id A): image path '../../secret.png' leaves the dataset root", e.Message);

        string pgross = Path.Combine(tmp.Path, "pg");
        var entries = Enumerable.Range(0, 9).Select(i => $"\"ok{i}.png\": \"specimen {i}\"").Prepend("\"../secret.png\": \"sneaky\"");
        tmp.File("pg/captions.json", "{" + string.Join(", ", entries) + "}");
        for (int i = 0; i < 9; i++) tmp.Image($"pg/ok{i}.png");
        var p = Assert.Throws<PrepareException>(() => Prepare.Run("pgross", pgross, Path.Combine(tmp.Path, "o")));
        Assert.Equal("captions.json key \"../secret.png\"", Assert.Single(p.Issues).Origin);
        Assert.Contains("leaves the dataset root", p.Issues[0].Reason);

        string roco = Path.Combine(tmp.Path, "roco");
        foreach (var split in new[] { "train", "validation", "test" })
        {
            tmp.File($"roco/{split}/captions.txt", $"ROCO_1\tA caption.\n{(split == "test" ? "../../../secret\tSneaky.\n" : "")}");
            tmp.Image($"roco/{split}/images/ROCO_1.png");
        }
        var r = Assert.Throws<PrepareException>(() => Prepare.Run("roco", roco, Path.Combine(tmp.Path, "o")));
        Assert.Equal("test/captions.txt line 2", Assert.Single(r.Issues).Origin);
        Assert.Contains("leaves the dataset root", r.Issues[0].Reason);
    }

    [Fact]
    public void Mmretinal_does_not_follow_linked_folders_and_refuses_linked_files_outside()
    {
        using var tmp = new DataFixtures.TempDir();
        string root = Path.Combine(tmp.Path, "mm");
        string secret = tmp.Image("outside/cfp_02.jpg");
        foreach (var m in new[] { "CFP", "FFA", "OCT" })
        {
            var rows = Enumerable.Range(0, 10).Select(i => $"{m.ToLowerInvariant()}_{i:00},Caption {i} of {m}.");
            tmp.File($"mm/{m}_translated_v1.csv", "Image_ID,en_caption\n" + string.Join("\n", rows) + "\n");
            for (int i = 0; i < 10; i++)
                if (!(m == "CFP" && i is 1 or 2)) tmp.Image($"mm/{m}/{m.ToLowerInvariant()}_{i:00}.jpg");
        }
        Directory.CreateSymbolicLink(Path.Combine(root, "CFP", "away"), Path.Combine(tmp.Path, "outside")); // holds cfp_02
        Directory.CreateSymbolicLink(Path.Combine(root, "CFP", "loop"), Path.Combine(root, "CFP")); // a cycle
        File.CreateSymbolicLink(Path.Combine(root, "CFP", "cfp_01.jpg"), secret);

        var e = Assert.Throws<PrepareException>(() => Prepare.Run("mmretinal", root, Path.Combine(tmp.Path, "o")));
        var issue = Assert.Single(e.Issues);
        Assert.Equal("CFP_translated_v1.csv line 3", issue.Origin);
        Assert.Contains("leaves the dataset root", issue.Reason);

        var result = Prepare.Run("mmretinal", root, Path.Combine(tmp.Path, "o"), skipBad: true);
        Assert.Single(result.Skipped);
        Assert.Contains(result.Dropped, d => d.Origin == "CFP_translated_v1.csv line 4"); // cfp_02: only behind the link
    }

    [Fact]
    public void Links_are_resolved_as_the_kernel_does_and_cycles_are_an_error()
    {
        using var tmp = new DataFixtures.TempDir();
        string target = tmp.File("b/f.png");
        Directory.CreateDirectory(Path.Combine(tmp.Path, "a"));
        Directory.CreateSymbolicLink(Path.Combine(tmp.Path, "a", "l"), "../b"); // relative to the link's folder
        Directory.CreateSymbolicLink(Path.Combine(tmp.Path, "a", "up"), Path.Combine(tmp.Path, "b", "c")); // missing target
        Assert.Equal(target, DatasetRootPath.Resolve(Path.Combine(tmp.Path, "a", "l", "f.png")));
        Assert.Equal(Path.Combine(tmp.Path, "b", "c", "x"), DatasetRootPath.Resolve(Path.Combine(tmp.Path, "a", "up", "x")));

        Directory.CreateSymbolicLink(Path.Combine(tmp.Path, "c1"), Path.Combine(tmp.Path, "c2"));
        Directory.CreateSymbolicLink(Path.Combine(tmp.Path, "c2"), Path.Combine(tmp.Path, "c1"));
        Assert.Throws<IOException>(() => DatasetRootPath.Resolve(Path.Combine(tmp.Path, "c1", "x.png")));
        var problem = new DatasetRootPath(tmp.Path).Problem(Path.Combine(tmp.Path, "c1", "x.png"), "c1/x.png");
        Assert.StartsWith("image path 'c1/x.png' cannot be resolved: more than 40 symbolic links", problem);
        var insideA = new DatasetRootPath(Path.Combine(tmp.Path, "a"));
        Assert.Contains("leaves the dataset root", insideA.Problem(Path.Combine(tmp.Path, "a", "..", "b", "f.png"), "../b/f.png"));
        Assert.Contains("leaves the dataset root", insideA.Problem(Path.Combine(tmp.Path, "a", "l", "f.png"), "l/f.png"));
        Assert.Null(new DatasetRootPath(tmp.Path).Problem(Path.Combine(tmp.Path, "a", "l", "f.png"), "a/l/f.png"));
    }

    [Fact]
    public void An_unknown_dataset_name_lists_the_known_ones()
    {
        using var tmp = new DataFixtures.TempDir();
        var e = Assert.Throws<ArgumentException>(() => Prepare.Run("mimic-cxr", tmp.Path, Path.Combine(tmp.Path, "o")));
        Assert.Contains("unknown dataset 'mimic-cxr' (known: covctr, pgross, mmretinal, roco, iuxray)", e.Message);
        Assert.False(Directory.Exists(Path.Combine(tmp.Path, "o")));
    }

    [Fact]
    public void Invalid_options_are_named()
    {
        using var tmp = new DataFixtures.TempDir();
        var e = Assert.Throws<ArgumentException>(() =>
            Prepare.Run("covctr", tmp.Path, tmp.Path, new PrepareOptions { CheckThreads = 0 }));
        Assert.Contains("CheckThreads = 0", e.Message);
    }
}

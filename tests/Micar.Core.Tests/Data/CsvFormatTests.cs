using Micar.Data;
using Xunit;

namespace Micar.Tests.Data;

public sealed class CsvFormatTests
{
    private static string Cells(CsvRow row) => string.Join("|", row.Cells.Select(c => c ?? "<null>"));

    [Fact]
    public void Writer_matches_pandas_to_csv()
    {
        var fx = DataFixtures.Json("csv_writer.json");
        var header = fx.GetProperty("header").EnumerateArray().Select(e => e.GetString()!).ToList();
        var rows = fx.GetProperty("rows").EnumerateArray()
            .Select(r => (IReadOnlyList<string?>)r.EnumerateArray().Select(e => e.GetString()).ToList()).ToList();
        Assert.Equal(fx.GetProperty("expected").GetString(), CsvFormat.Format(header, rows));
    }

    [Fact]
    public void Round_trip_through_report_csv()
    {
        using var tmp = new DataFixtures.TempDir();
        string path = Path.Combine(tmp.Path, "train.csv");
        ReportRecord[] records = [new("images/a,b.png", "say \"hi\" ,\nthen ."), new("x.png", "\u00e9\U0001F600 .")];
        ReportCsv.Write(path, records);
        Assert.Equal("image_id,findings\n\"images/a,b.png\",\"say \"\"hi\"\" ,\nthen .\"\nx.png,\u00e9\U0001F600 .\n", File.ReadAllText(path));
        Assert.Equal(records, ReportCsv.Read(path));
        Assert.Equal(Path.Combine(tmp.Path, "images", "a,b.png"), ReportCsv.ResolveImagePath(path, "images/a,b.png"));
    }

    [Fact]
    public void Reader_follows_pandas_defaults()
    {
        string text = "\uFEFFa,b,c\r\n1,\"x\"\"y\",3\r\n\r\n4,\"multi\r\nline\",\n\"ab\"c,d\"e,f\n7\n";
        var t = CsvFormat.Parse(text, "t.csv");
        Assert.Equal(["a", "b", "c"], t.Header);
        Assert.Equal(4, t.Rows.Count);
        Assert.Equal("1|x\"y|3", Cells(t.Rows[0]));
        Assert.Equal(2, t.Rows[0].Line);
        Assert.Equal("4|multi\r\nline|", Cells(t.Rows[1]));
        Assert.Equal(4, t.Rows[1].Line);
        Assert.Equal("abc|d\"e|f", Cells(t.Rows[2]));
        Assert.Equal(6, t.Rows[2].Line);
        Assert.Equal("7|<null>|<null>", Cells(t.Rows[3]));
        Assert.True(PandasMissing.IsMissing(t.Rows[1].Cells[2]));
        Assert.True(PandasMissing.IsMissing(t.Rows[3].Cells[1]));
        Assert.True(PandasMissing.IsMissing("NA"));
        Assert.False(PandasMissing.IsMissing("na"));
    }

    [Fact]
    public void Reader_errors_name_file_and_line()
    {
        var e1 = Assert.Throws<InvalidDataException>(() => CsvFormat.Parse("a,b\n1,2\n3,4,5\n", "f.csv"));
        Assert.Equal("f.csv: line 3: expected 2 fields, saw 3", e1.Message);
        var e2 = Assert.Throws<InvalidDataException>(() => CsvFormat.Parse("a,b\n1,\"open\n", "f.csv"));
        Assert.Contains("f.csv: line 2: quoted field not closed", e2.Message);
        Assert.Throws<InvalidDataException>(() => CsvFormat.Parse("", "f.csv"));
        var t = CsvFormat.Parse("x,y\n1,2\n", "f.csv");
        var e3 = Assert.Throws<InvalidDataException>(() => t.RequireColumn("findings"));
        Assert.Equal("f.csv: column 'findings' not found (columns: 'x', 'y')", e3.Message);
    }

    [Fact]
    public void Report_csv_rejects_missing_cells()
    {
        using var tmp = new DataFixtures.TempDir();
        string p = tmp.File("val.csv", "image_id,findings\na.png,ok .\nb.png,\n");
        var e = Assert.Throws<InvalidDataException>(() => ReportCsv.Read(p));
        Assert.Contains("line 3: column 'findings' is empty", e.Message);
        string q = tmp.File("bad.csv", "image,findings\na.png,ok .\n");
        Assert.Contains("column 'image_id' not found", Assert.Throws<InvalidDataException>(() => ReportCsv.Read(q)).Message);
        byte[] latin1 = [0x69, 0x6d, 0x61, 0x67, 0x65, 0x5f, 0x69, 0x64, 0x2c, 0x66, 0x0a, 0xe9, 0x2c, 0x78, 0x0a];
        string r = Path.Combine(tmp.Path, "latin1.csv");
        File.WriteAllBytes(r, latin1);
        Assert.Contains("not valid UTF-8", Assert.Throws<InvalidDataException>(() => CsvFormat.ReadFile(r)).Message);
    }
}

using Xunit;
namespace Micar.Tests.Layers;

/// <summary>Reads the state-dict TSV fixtures (header <c>key shape dtype kind</c>) as rows of four strings.</summary>
internal static class ReferenceTsv
{
    public static string FixturePath(params string[] parts) =>
        Path.Combine([AppContext.BaseDirectory, "fixtures", .. parts]);

    /// <summary>The data rows (header dropped), each exactly as written: <c>key\tshape\tdtype\tkind</c>.</summary>
    public static IReadOnlyList<string> Rows(params string[] parts)
    {
        var lines = File.ReadAllLines(FixturePath(parts));
        Assert.Equal("key\tshape\tdtype\tkind", lines[0]);
        return lines.Skip(1).Where(l => l.Length > 0).ToList();
    }
}

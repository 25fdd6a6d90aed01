using Micar.Data;

namespace Micar.Training;

/// <summary>One split of a dataset in the standard CSV layout: resolved image paths and reports.</summary>
public sealed record SplitData(string Name, string CsvPath, string[] ImagePaths, string[] Reports)
{
    /// <summary>Number of rows.</summary>
    public int Count => ImagePaths.Length;

    /// <summary>Reads <c>&lt;dir&gt;/&lt;split&gt;.csv</c>; errors name the missing file.</summary>
    public static SplitData Load(string dataDir, string split)
    {
        var csv = Path.Combine(dataDir, split + ".csv");
        if (!File.Exists(csv))
            throw new FileNotFoundException($"dataset '{dataDir}' has no {split}.csv (expected the standard layout: train.csv, val.csv, test.csv with image_id,findings)", csv);
        var rows = ReportCsv.Read(csv);
        if (rows.Count == 0) throw new InvalidDataException($"{csv} has no rows");
        return new SplitData(split, csv, rows.Select(r => ReportCsv.ResolveImagePath(csv, r.ImageId)).ToArray(), rows.Select(r => r.Findings).ToArray());
    }

    /// <summary>The first <paramref name="n"/> rows (for quick runs).</summary>
    public SplitData Take(int n) => n >= Count ? this : this with { ImagePaths = ImagePaths[..n], Reports = Reports[..n] };
}

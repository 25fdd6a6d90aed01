using Micar.Data;

namespace Micar.Training;

/// <summary>One split of a dataset in the standard CSV layout: resolved image paths and reports.</summary>
public sealed record SplitData(string Name, string CsvPath, string[] ImagePaths, string[] Reports)
{
    /// <summary>Number of rows.</summary>
    public int Count => ImagePaths.Length;

    /// <summary>Reads <c>&lt;dir&gt;/&lt;split&gt;.csv</c> (<see cref="DatasetFolder.SplitCsv"/>); errors name the missing file.</summary>
    public static SplitData Load(string dataDir, string split)
    {
        var csv = new DatasetFolder(dataDir).SplitCsv(split);
        if (!File.Exists(csv))
            throw new FileNotFoundException($"dataset '{dataDir}' has no {DatasetFolder.SplitFileName(split)} (expected the standard layout: {DatasetFolder.LayoutDescription})", csv);
        var rows = ReportCsv.Read(csv);
        if (rows.Count == 0) throw new InvalidDataException($"{csv} has no rows");
        return new SplitData(split, csv, rows.Select(r => ReportCsv.ResolveImagePath(csv, r.ImageId)).ToArray(), rows.Select(r => r.Findings).ToArray());
    }

    /// <summary>Checks that every image exists, is readable and starts like a PNG or JPEG (the first bytes only, see
    /// <see cref="Data.Loading.ImageCheck.Header"/>), so that a run can refuse a broken dataset before it writes anything.</summary>
    /// <exception cref="InvalidDataException">Some images cannot be used; the message names the CSV, and the row, path
    /// and reason of the first five.</exception>
    public void CheckImages()
    {
        var problems = new string?[Count];
        Parallel.For(0, Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            i => problems[i] = Data.Loading.ImageFileCheck.Problem(ImagePaths[i], Data.Loading.ImageCheck.Header, Data.Images.ImageDecodeOptions.Default));
        var bad = Enumerable.Range(0, Count).Where(i => problems[i] is not null).ToList();
        if (bad.Count == 0) return;
        var listed = string.Join("; ", bad.Take(5).Select(i => $"row {i + 1} ({ImagePaths[i]}): {problems[i]}"));
        throw new InvalidDataException($"{CsvPath}: {bad.Count} of {Count} images cannot be used: {listed}{(bad.Count > 5 ? "; …" : "")}. " +
            "Fix the files, or clean the dataset with 'micar prepare --skip-bad'");
    }

    /// <summary>The first <paramref name="n"/> rows (for quick runs).</summary>
    public SplitData Take(int n) => n >= Count ? this : this with { ImagePaths = ImagePaths[..n], Reports = Reports[..n] };
}

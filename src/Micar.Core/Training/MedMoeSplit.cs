using Micar.Data;
using Micar.Data.Synthetic;

namespace Micar.Training;

/// <summary>One split of a dataset as MedMoE uses it: image paths, reports, each image's modality (its name in the
/// folder's <see cref="SynthDataset.ModalityFile"/>, <c>image_id,modality</c>, as an index into the spec's modalities;
/// without the file every image has the first one) and, where the CSV has a <c>ground_truth</c> column (synthetic
/// data), each image's findings (for zero-shot classification). Real-format folders (<c>image_id,findings</c>) load too.</summary>
/// <param name="Name">Split name.</param>
/// <param name="ImagePaths">Resolved image files.</param>
/// <param name="Reports">Reports.</param>
/// <param name="Modalities">Modality label of each row (index into the modality names it was loaded with).</param>
/// <param name="Findings">Findings of each row, or null when the CSV has no <c>ground_truth</c> column.</param>
public sealed record MedMoeSplit(string Name, string[] ImagePaths, string[] Reports, long[] Modalities, FindingSet[]? Findings)
{
    /// <summary>Number of rows.</summary>
    public int Count => ImagePaths.Length;

    /// <summary>Reads <c>&lt;dir&gt;/&lt;split&gt;.csv</c> and the modality file, whose names are looked up in
    /// <paramref name="modalities"/> (a spec's <see cref="Spec.MedMoeSpec.Modalities"/>; null: the synthetic ct, xray).</summary>
    public static MedMoeSplit Load(string dataDir, string split, IReadOnlyList<string>? modalities = null)
    {
        var data = SplitData.Load(dataDir, split);
        var table = CsvFormat.ReadFile(data.CsvPath);
        var idColumn = table.RequireColumn(DatasetFolder.ImageIdColumn);
        var ids = table.Rows.Select(r => r.Cells[idColumn]!).ToArray();
        var modality = SynthDataset.ReadModalityLabels(dataDir, ids, modalities ?? SyntheticModalities.Names);
        var truthColumn = table.Header.ToList().IndexOf("ground_truth");
        FindingSet[]? findings = truthColumn < 0 ? null
            : table.Rows.Select(r => FindingSet.Parse(r.Cells[truthColumn] ?? throw new InvalidDataException($"{data.CsvPath}: line {r.Line}: ground_truth is empty"))).ToArray();
        return new MedMoeSplit(split, data.ImagePaths, data.Reports, ids.Select(id => (long)modality[id]).ToArray(), findings);
    }

    /// <summary>The first <paramref name="n"/> rows.</summary>
    public MedMoeSplit Take(int n) => n >= Count ? this : new MedMoeSplit(Name, ImagePaths[..n], Reports[..n], Modalities[..n], Findings?[..n]);
}

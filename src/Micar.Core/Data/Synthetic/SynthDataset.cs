using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Micar.Data.Images;

namespace Micar.Data.Synthetic;

/// <summary>
/// Writes a complete synthetic chest CT report-generation dataset (Micar's embedded default, since real datasets
/// cannot be downloaded everywhere):
/// <list type="bullet">
/// <item><c>images/synth_NNNNN.png</c> — 8-bit grey axial slices (<see cref="SyntheticGenerator"/>);</item>
/// <item><c>train.csv</c>, <c>val.csv</c>, <c>test.csv</c> — an 8 : 1 : 1 random split (val and test get
/// ⌊n/10⌋ rows each), rows in id order, header <c>image_id,findings,ground_truth</c>: the image path relative
/// to the dataset folder (e.g. <c>images/synth_00000.png</c>), the report, and the finding set's code
/// (<see cref="FindingSet.ToCode"/>); RFC 4180 quoting (fields with <c>,</c> <c>"</c> or line breaks are quoted,
/// quotes doubled), UTF-8 without BOM, <c>\n</c> line ends (as pandas writes them);</item>
/// <item><c>dataset.json</c> and <c>README.txt</c> — generator version, seed, size, counts and conventions.</item>
/// </list>
/// Images are generated on all cores; the output depends only on (n, seed, size): the same arguments give
/// byte-identical files. Existing files of the same names are replaced (each file atomically); other files in
/// the folder are left alone.
/// </summary>
public static class SynthDataset
{
    /// <summary>CSV header of the split files.</summary>
    public const string Header = DatasetFolder.ImageIdColumn + "," + DatasetFolder.FindingsColumn + ",ground_truth";

    private const ulong SplitStream = 3;

    /// <summary>The per-image modality file of a dataset written with an X-ray share above 0.</summary>
    public const string ModalityFile = "modality.csv";

    /// <summary>The modality of each image of a dataset folder, by <c>image_id</c>: from <see cref="ModalityFile"/>, or
    /// every image CT when the folder has none (CT-only synthetic data and real datasets).</summary>
    /// <exception cref="FormatException">A malformed line or an unknown modality name; the message names the line.</exception>
    public static IReadOnlyDictionary<string, SyntheticModality> ReadModalities(string folder, IEnumerable<string> imageIds) =>
        ReadModalityLabels(folder, imageIds, SyntheticModalities.Names).ToDictionary(kv => kv.Key, kv => (SyntheticModality)kv.Value);

    /// <summary>The modality label of each image, by <c>image_id</c>: its name in <see cref="ModalityFile"/>
    /// (<c>image_id,modality</c>, any names) as an index into <paramref name="names"/> (a MedMoE spec's modalities); every
    /// image label 0 when the folder has no such file. Errors name the file, the line and the unknown name or image.</summary>
    public static IReadOnlyDictionary<string, int> ReadModalityLabels(string folder, IEnumerable<string> imageIds, IReadOnlyList<string> names)
    {
        var path = Path.Combine(folder, ModalityFile);
        if (!File.Exists(path)) return imageIds.Distinct().ToDictionary(id => id, _ => 0);
        var index = names.Select((n, i) => (n, i)).ToDictionary(t => t.n, t => t.i, StringComparer.Ordinal);
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        var lines = File.ReadAllLines(path);
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            var comma = lines[i].LastIndexOf(',');
            if (comma <= 0) throw new FormatException($"{path} line {i + 1}: expected image_id,modality");
            var id = lines[i][..comma].Trim('"').Replace("\"\"", "\"");
            var name = lines[i][(comma + 1)..].Trim();
            map[id] = index.TryGetValue(name, out var label) ? label
                : throw new FormatException($"{path} line {i + 1}: modality '{name}' is not one of {string.Join(", ", names)}");
        }
        foreach (var id in imageIds)
            if (!map.ContainsKey(id)) throw new FormatException($"{path}: image '{id}' has no modality");
        return map;
    }

    /// <summary>Generates and writes the dataset.</summary>
    /// <param name="outDir">Dataset folder (created if missing).</param>
    /// <param name="n">Number of studies (1 … 10,000,000).</param>
    /// <param name="seed">Dataset seed; study i uses <see cref="SyntheticGenerator.CaseSeed"/>(seed, i).</param>
    /// <param name="size">Image side in pixels.</param>
    /// <param name="maxDegreeOfParallelism">Worker count (default: all cores).</param>
    /// <param name="xrayShare">Share of studies rendered and reported as chest radiographs
    /// (<see cref="SyntheticGenerator.ModalityOf"/>); with a share above 0 the folder also gets <c>modality.csv</c>
    /// (<c>image_id,modality</c>, <see cref="SyntheticModalities.Names"/>) and the marker file the share. The default 0 writes
    /// the CT-only dataset exactly as before.</param>
    /// <returns>Counts and timing.</returns>
    /// <exception cref="ArgumentOutOfRangeException">n or size out of range.</exception>
    /// <exception cref="IOException">A file could not be written (the message names it).</exception>
    public static SynthDatasetSummary Write(string outDir, int n = 2000, int seed = 7, int size = SyntheticGenerator.DefaultSize, int? maxDegreeOfParallelism = null,
        double xrayShare = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(outDir);
        if (n is < 1 or > 10_000_000)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, "Synthetic dataset: n must be in [1, 10000000].");
        }

        if (size is < SyntheticGenerator.MinSize or > SyntheticGenerator.MaxSize)
        {
            throw new ArgumentOutOfRangeException(
                nameof(size), size, $"Synthetic dataset: size must be in [{SyntheticGenerator.MinSize}, {SyntheticGenerator.MaxSize}].");
        }

        if (!(xrayShare is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(xrayShare), xrayShare, "Synthetic dataset: the X-ray share must lie in [0, 1].");
        }

        var clock = Stopwatch.StartNew();
        var root = Path.GetFullPath(outDir);
        var imageDir = Path.Combine(root, "images");
        try
        {
            Directory.CreateDirectory(imageDir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{imageDir}: cannot create the dataset folder: {e.Message}", e);
        }

        var width = Math.Max(5, (n - 1).ToString(CultureInfo.InvariantCulture).Length);
        var ids = new string[n];
        var reports = new string[n];
        var codes = new string[n];
        var sets = new FindingSet[n];
        var modalities = new SyntheticModality[n];
        var options = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism ?? Environment.ProcessorCount };
        Parallel.For(0, n, options, i =>
        {
            var caseSeed = SyntheticGenerator.CaseSeed(seed, i);
            modalities[i] = SyntheticGenerator.ModalityOf(caseSeed, xrayShare);
            var study = SyntheticGenerator.Generate(caseSeed, size, modalities[i]);
            var id = "images/synth_" + i.ToString(CultureInfo.InvariantCulture).PadLeft(width, '0') + ".png";
            PngEncoder.Save(Path.Combine(root, id), study.Pixels, size, size, 1, fast: true);
            ids[i] = id;
            reports[i] = study.Report;
            codes[i] = study.Findings.ToCode();
            sets[i] = study.Findings;
        });

        var (train, val, test) = Split(n, seed);
        var folder = new DatasetFolder(root);
        WriteCsv(folder.SplitCsv(DatasetFolder.Train), train, ids, reports, codes);
        WriteCsv(folder.SplitCsv(DatasetFolder.Val), val, ids, reports, codes);
        WriteCsv(folder.SplitCsv(DatasetFolder.Test), test, ids, reports, codes);

        var normal = sets.Count(s => s.IsNormal);
        var counts = Enum.GetValues<FindingType>().ToDictionary(t => t, t => sets.Sum(s => s.Count(f => f.Type == t)));
        if (xrayShare > 0)
        {
            var modalityCsv = new StringBuilder(32 + n * 40).Append(DatasetFolder.ImageIdColumn).Append(",modality\n");
            for (var i = 0; i < n; i++)
            {
                modalityCsv.Append(CsvField(ids[i])).Append(',').Append(SyntheticModalities.Name(modalities[i])).Append('\n');
            }

            WriteText(Path.Combine(root, ModalityFile), modalityCsv.ToString());
        }

        WriteText(folder.SyntheticMarkerPath, Json(n, seed, size, train.Length, val.Length, test.Length, normal, counts, xrayShare));
        WriteText(Path.Combine(root, "README.txt"), Readme(n, seed, size, train.Length, val.Length, test.Length, normal, counts));
        return new SynthDatasetSummary(root, seed, size, train.Length, val.Length, test.Length, normal, counts, clock.Elapsed);
    }

    /// <summary>
    /// The split of study indices 0 … n−1: a Fisher–Yates shuffle with the dataset seed, whose first ⌊n/10⌋
    /// entries form test, the next ⌊n/10⌋ val and the rest train; each part sorted ascending.
    /// </summary>
    public static (int[] Train, int[] Val, int[] Test) Split(int n, long seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        var order = Enumerable.Range(0, n).ToArray();
        var random = new SynthRandom(SynthRandom.Derive(unchecked((ulong)seed), SplitStream, 0));
        for (var i = n - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }

        var tenth = n / 10;
        var test = order[..tenth];
        var val = order[tenth..(2 * tenth)];
        var train = order[(2 * tenth)..];
        Array.Sort(train);
        Array.Sort(val);
        Array.Sort(test);
        return (train, val, test);
    }

    /// <summary>A CSV field with RFC 4180 quoting: quoted when it holds a comma, quote, CR or LF; quotes doubled.</summary>
    public static string CsvField(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"") + "\"";
    }

    private static void WriteCsv(string path, int[] rows, string[] ids, string[] reports, string[] codes)
    {
        var text = new StringBuilder(Header.Length + 1 + rows.Length * 256);
        text.Append(Header).Append('\n');
        foreach (var i in rows)
        {
            text.Append(CsvField(ids[i])).Append(',').Append(CsvField(reports[i])).Append(',').Append(CsvField(codes[i])).Append('\n');
        }

        WriteText(path, text.ToString());
    }

    private static void WriteText(string path, string text) =>
        PngEncoder.WriteAtomically(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text));

    private static string Json(int n, long seed, int size, int train, int val, int test, int normal, Dictionary<FindingType, int> counts, double xrayShare)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("generator", SyntheticGenerator.Version);
            json.WriteNumber("seed", seed);
            json.WriteNumber("count", n);
            json.WriteNumber("image_size", size);
            json.WriteString("image_format", "PNG, 8-bit grey, lung window, patient's right on image left, anterior at top");
            json.WriteString(DatasetFolder.ImageIdColumn, "path relative to this folder");
            json.WriteStartObject("splits");
            json.WriteNumber("train", train);
            json.WriteNumber("val", val);
            json.WriteNumber("test", test);
            json.WriteEndObject();
            json.WriteNumber("normal", normal);
            json.WriteStartObject("findings");
            foreach (var (type, count) in counts)
            {
                json.WriteNumber(Finding.TypeCode(type), count);
            }

            json.WriteEndObject();
            json.WriteString("ground_truth", "findings joined by ';' as type:side:zone:depth:size:margin[:air], or 'normal'");
            json.WriteString("vocabulary", "covctr (229 tokens)");
            if (xrayShare > 0)
            {
                json.WriteNumber("xray_share", xrayShare);
                json.WriteString("modality", ModalityFile + ": image_id,modality (ct: COVCTR vocabulary; xray: radiograph projection, chest X-ray vocabulary)");
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static string Readme(int n, long seed, int size, int train, int val, int test, int normal, Dictionary<FindingType, int> counts)
    {
        var c = CultureInfo.InvariantCulture;
        var findings = string.Join(", ", counts.Select(p => string.Create(c, $"{Finding.TypeCode(p.Key)} {p.Value}")));
        return string.Create(c, $"""
            Micar synthetic chest CT report dataset
            =======================================
            Generator {SyntheticGenerator.Version}, seed {seed}, {n} studies, {size}x{size} px.
            Splits: train {train}, val {val}, test {test} (8:1:1, random, rows in id order).
            Normal studies: {normal}. Findings: {findings}.

            Files
              images/synth_NNNNN.png  8-bit grey axial chest CT slice in a lung window. Radiological convention:
                                      the patient's right is on the image's left, anterior is at the top.
              train.csv, val.csv, test.csv
                                      header image_id,findings,ground_truth (RFC 4180 quoting, UTF-8, LF).
                                      image_id: image path relative to this folder.
                                      findings: the report, COVCTR style (lower case, ',' and '.' as tokens,
                                      ending ' .'), using only words of the COVCTR vocabulary.
                                      ground_truth: findings joined by ';', each type:side:zone:depth:size:margin
                                      with ':air' for a consolidation with an air bronchogram; 'normal' if none.
              dataset.json            the same facts, machine-readable.

            Findings and how they are shown
              ggo            hazy, partly transparent opacity   "ground glass shadow"
              consolidation  dense opacity, maybe air bronchi   "highdensity shadow" (+ "air bronchial sign")
              nodule         small round dense lesion           "nodule"
              cavity         dense ring with a black centre     "cavity"
              effusion       posterior dependent crescent       "arcshaped liquid density in the posterior ... pleura"
              side   right | left  (patient's side)
              zone   upper | middle | lower = anterior | middle | posterior third of the lung field, since one
                     axial slice has no cranio-caudal axis ("upper lobe", "middle lobe"/"lingual segment", "lower lobe")
              depth  subpleural (against the lateral chest wall, "subpleural") | central (against the
                     mediastinum near the hilum, "hilar")
              size   small | medium | large ("small", no word, "large")
              margin well | ill ("with clear margin" | "with blurred margin"); effusion has no zone, depth or margin.
            A quarter of studies are normal; the others have 1-3 findings, each lung third holding at most one lesion.

            """);
    }
}

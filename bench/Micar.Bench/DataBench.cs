using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Micar.Data;
using Micar.Data.Images;
using Micar.Data.Loading;

namespace Micar.Bench;

/// <summary>
/// Data-loading throughput side by side with PyTorch: the same 256 JPEG files (512 × 512, written by
/// bench/data/data_bench.py with PIL) decoded, put through the official evaluation transform (resize 232,
/// centre crop 224, normalise), a report tokenized to T = 100 and collated into batches of 16 —
/// <see cref="CaptionLoader"/> against <c>torch.utils.data.DataLoader</c> with PIL + torchvision, with the same
/// number of workers. Each side runs whole epochs (worker start-up included, as with PyTorch's default
/// non-persistent workers); rounds alternate between the sides so that a change in machine load hits both.
/// </summary>
static class DataBench
{
    const int Files = 256, Side = 512, BatchSize = 16, TextLength = 100, Rounds = 3, EpochsPerRound = 3;

    const string Report = "multiple patchy ground glass opacities are seen in both lungs with blurred edges , and the bronchi are clear .";

    public static int Run(int workers, string outDir)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"micar-data-bench-{Environment.ProcessId}");
        try
        {
            var made = PythonReference.Run("bench/data/data_bench.py", "make", directory, Files.ToString(CultureInfo.InvariantCulture), Side.ToString(CultureInfo.InvariantCulture));
            var rows = made.GetProperty("files").EnumerateArray().Select(f => new CaptionRow(f.GetString()!, Report)).ToList();
            var dataset = new CaptionDataset(rows, new Tokenizer(Vocabulary.LoadReleased("covctr")), ImageTransform.OfficialEval, TextLength, source: directory);
            var loadBefore = LoadAverage();
            int[] workerCounts = workers == 0 ? [0] : [0, workers];
            var results = new List<(int Workers, List<double> Micar, List<double> PyTorch)>();
            string torchVersions = "";
            foreach (var w in workerCounts)
            {
                using var loader = new CaptionLoader(dataset, new CaptionLoaderOptions { BatchSize = BatchSize, Workers = w });
                Epoch(loader, 0); // JIT and native libraries warmed up, files in the page cache
                var micar = new List<double>();
                var pytorch = new List<double>();
                for (var round = 0; round < Rounds; round++)
                {
                    for (var e = 0; e < EpochsPerRound; e++)
                        micar.Add(Epoch(loader, e));
                    var py = PythonReference.Run("bench/data/data_bench.py", "run", directory, w.ToString(CultureInfo.InvariantCulture),
                        BatchSize.ToString(CultureInfo.InvariantCulture), EpochsPerRound.ToString(CultureInfo.InvariantCulture),
                        TextLength.ToString(CultureInfo.InvariantCulture), Report);
                    pytorch.AddRange(py.GetProperty("images_per_s").EnumerateArray().Select(x => x.GetDouble()));
                    torchVersions = $"torch {py.GetProperty("torch").GetString()}, torchvision {py.GetProperty("torchvision").GetString()}, Pillow {made.GetProperty("pillow").GetString()}";
                }
                results.Add((w, micar, pytorch));
            }
            var loadAfter = LoadAverage();

            Console.WriteLine($"data benchmark — {Files} JPEGs {Side}x{Side}, decode + official eval transform (232 → 224) + batch {BatchSize}, T = {TextLength}");
            Console.WriteLine($"Micar CaptionLoader vs PyTorch DataLoader ({torchVersions}); {Environment.ProcessorCount} CPU(s); images/s over {Rounds * EpochsPerRound} epochs each");
            Console.WriteLine($"load average before {loadBefore}, after {loadAfter}");
            Console.WriteLine($"{"workers",-8} {"Micar best",11} {"median",9} {"PyTorch best",13} {"median",9} {"ratio best M/P",15}");
            var json = new List<object>();
            foreach (var (w, micar, pytorch) in results)
            {
                double mb = micar.Max(), mm = Median(micar), pb = pytorch.Max(), pm = Median(pytorch);
                Console.WriteLine($"{w,-8} {mb,11:F1} {mm,9:F1} {pb,13:F1} {pm,9:F1} {mb / pb,15:F2}");
                json.Add(new { workers = w, micar_images_per_s = micar, pytorch_images_per_s = pytorch, micar_best = mb, pytorch_best = pb, ratio_best = mb / pb });
            }
            Directory.CreateDirectory(outDir);
            File.WriteAllText(Path.Combine(outDir, "data.json"), JsonSerializer.Serialize(
                new { files = Files, side = Side, batch = BatchSize, load_before = loadBefore, load_after = loadAfter, rows = json },
                new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }
        finally
        {
            if (Directory.Exists(directory))
                Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Images per second of one whole epoch.</summary>
    static double Epoch(CaptionLoader loader, int epoch)
    {
        var seen = 0;
        var clock = Stopwatch.StartNew();
        foreach (var batch in loader.Epoch(epoch))
        {
            seen += batch.Count;
            batch.Dispose();
        }
        return seen / clock.Elapsed.TotalSeconds;
    }

    static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}

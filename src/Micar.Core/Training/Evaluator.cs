using System.Text.Json;
using Micar.Data;
using Micar.Data.Images;

using Micar.Decoding;
using Micar.Model;
using Micar.Torch;

namespace Micar.Training;


/// <summary>Generated reports of a split with their references and scores.</summary>
public sealed record EvalResult(string Split, string[] ImageIds, string[] Predictions, string[] References, Dictionary<string, double> Scores);

/// <summary>Evaluates a checkpoint on a split: decodes every image, writes the reports CSV (image, generated,
/// reference — as the official code does) and the metrics JSON.</summary>
public static class Evaluator
{
    /// <summary>Decodes <paramref name="split"/> of <paramref name="dataDir"/> with the checkpoint; <paramref name="imageDecode"/>
    /// sets the image decoder's limits and 16-bit mapping.</summary>
    public static EvalResult Run(Checkpoint.Loaded ckpt, string dataDir, string split, DecodeOptions decode, int batch = 16,
        bool blind = false, int? maxRows = null, ImageDecodeOptions? imageDecode = null)
    {
        var data = SplitData.Load(dataDir, split);
        if (maxRows is { } m) data = data.Take(m);
        var net = ckpt.Net();
        var tokenizer = new Tokenizer(ckpt.Vocab);
        int T = ckpt.Model.TextSeqLen;
        var transform = ImageBatcher.TransformFor(ckpt.Spec.Vision.ImageSize);
        var preds = new string[data.Count];
        using var noGrad = Autograd.NoGrad();
        for (int start = 0; start < data.Count; start += batch)
        {
            using var scope = Libtorch.NewScope();
            var paths = data.ImagePaths[start..Math.Min(data.Count, start + batch)];
            var images = ImageBatcher.Load(paths, transform, blind, imageDecode);
            var hyps = ReportDecoder.Generate(net, images, decode);
            for (int i = 0; i < hyps.Count; i++) preds[start + i] = tokenizer.Decode(hyps[i].Tokens);
        }
        var refs = data.Reports.Select(r => tokenizer.ReferenceText(r, T)).ToArray();
        bool synthetic = new DatasetFolder(dataDir).IsSynthetic;
        var ids = data.ImagePaths.Select(p => Path.GetRelativePath(dataDir, p)).ToArray();
        return new EvalResult(split, ids, preds, refs, Scoring.Score(preds, refs, synthetic, coco: true));
    }

    /// <summary>Writes <c>&lt;split&gt;_reports.csv</c> and <c>&lt;split&gt;_metrics.json</c> into <paramref name="outDir"/>.</summary>
    public static (string Csv, string Json) Write(EvalResult r, string outDir)
    {
        Directory.CreateDirectory(outDir);
        var csv = Path.Combine(outDir, $"{r.Split}_reports.csv");
        CsvFormat.WriteFile(csv, ["image_id", "generated", "reference"],
            r.ImageIds.Select((id, i) => (IReadOnlyList<string?>)[id, r.Predictions[i], r.References[i]]));
        var json = Path.Combine(outDir, $"{r.Split}_metrics.json");
        File.WriteAllText(json, JsonSerializer.Serialize(r.Scores, new JsonSerializerOptions { WriteIndented = true }));
        return (csv, json);
    }
}

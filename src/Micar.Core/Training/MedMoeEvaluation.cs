using Micar.Data;
using Micar.Data.Synthetic;
using Micar.Layers;
using Micar.Metrics;
using Micar.Model;
using Micar.Nn;
using Micar.Torch;

namespace Micar.Training;

/// <summary>Retrieval and zero-shot scores of a MedMoE model on one split.</summary>
/// <param name="Split">Split name.</param>
/// <param name="Count">Images (= reports).</param>
/// <param name="ImageToText">Image→report Recall@1/5/10 (every report with the same text as the image's own is a hit).</param>
/// <param name="TextToImage">Report→image Recall@1/5/10 (every image whose report reads the same is a hit).</param>
/// <param name="ZeroShot">Zero-shot finding classification (null without ground-truth findings).</param>
/// <param name="ModalityAccuracy">Share of images whose predicted modality is their label.</param>
public sealed record MedMoeScores(string Split, int Count, RecallAtK ImageToText, RecallAtK TextToImage, ZeroShotScores? ZeroShot, double ModalityAccuracy);

/// <summary>
/// Evaluates a trained MedMoE model without any modality input (images are routed by their predicted modality):
/// global image and report embeddings of the split, image→text and text→image Recall@K, and zero-shot classification of
/// each finding type by a pair of prompts — the mean embedding of the single-finding reports of that type (every side and
/// zone, both report vocabularies) against that of the normal reports.
/// </summary>
public static class MedMoeEvaluation
{
    /// <summary>The finding types scored by zero-shot classification, in order.</summary>
    public static IReadOnlyList<FindingType> Classes { get; } = Enum.GetValues<FindingType>();

    /// <summary>Scores <paramref name="trained"/> on <paramref name="split"/>.</summary>
    public static MedMoeScores Evaluate(MedMoeTrained trained, MedMoeSplit split, int batch = 64)
    {
        using var scope = Libtorch.NewScope();
        using var noGrad = Autograd.NoGrad();
        var net = trained.Net();
        var tokenizer = new Tokenizer(trained.Vocab);
        var transform = ImageBatcher.TransformFor(trained.Spec.Vision.ImageSize);
        var images = new List<Tensor>();
        var predicted = new List<long>();
        for (int start = 0; start < split.Count; start += batch)
        {
            var n = Math.Min(batch, split.Count - start);
            using var x = ImageBatcher.Load(split.ImagePaths[start..(start + n)], transform);
            using var img = net.EncodeImage(x, null, ForwardContext.Eval);
            images.Add(img.Global.Alias());
            predicted.AddRange(img.ModalityLogits.Argmax(-1).ToArray<long>());
        }
        var imageEmb = Libtorch.Cat([.. images], 0);                                     // [n, e]
        var textEmb = EncodeReports(net, tokenizer, split.Reports, trained.Spec.TextSeqLen, batch);
        var sims = Rows(imageEmb.Matmul(textEmb.Transpose(0, 1)));
        var relevant = Retrieval.SameKey(split.Reports);
        var i2t = Retrieval.Recall(sims, relevant);
        var t2i = Retrieval.Recall(Retrieval.Transpose(sims), relevant);
        ZeroShotScores? zeroShot = null;
        if (split.Findings is { } findings)
        {
            var (positive, negative) = Prompts(net, tokenizer, trained.Spec.TextSeqLen);
            var pos = Rows(imageEmb.Matmul(positive.Transpose(0, 1)));                    // [n, classes]
            var neg = Rows(imageEmb.Matmul(negative.Transpose(0, 1)).Expand(-1, Classes.Count));
            var truth = findings.Select(f => Classes.Select(c => f.Any(x => x.Type == c)).ToArray()).ToArray();
            zeroShot = ZeroShot.Score(ZeroShot.Predict(pos, neg), truth);
        }
        var accuracy = split.Count == 0 ? 0 : predicted.Zip(split.Modalities).Count(p => p.First == p.Second) / (double)split.Count;
        return new MedMoeScores(split.Name, split.Count, i2t, t2i, zeroShot, accuracy);
    }

    /// <summary>Global report embeddings [n, e] of <paramref name="reports"/>.</summary>
    public static Tensor EncodeReports(MedMoeNet net, Tokenizer tokenizer, IReadOnlyList<string> reports, int textLength, int batch = 64)
    {
        using var scope = Libtorch.NewScope();
        var parts = new List<Tensor>();
        for (int start = 0; start < reports.Count; start += batch)
        {
            var n = Math.Min(batch, reports.Count - start);
            var encoded = tokenizer.EncodeBatch(reports.Skip(start).Take(n).ToList(), textLength);
            using var ids = Tensor.From<long>(encoded.InputIds, n, textLength);
            using var txt = net.EncodeText(ids, ForwardContext.Eval);
            parts.Add(txt.Global.Alias());
        }
        return Libtorch.Cat([.. parts], 0).MoveToOuterScope();
    }

    /// <summary>The prompt reports of a finding type: one single-finding report per side and zone (medium size, clear
    /// margin, subpleural) in each report vocabulary (CT and radiograph).</summary>
    public static IReadOnlyList<string> PositivePrompts(FindingType type)
    {
        var sets = new List<FindingSet>();
        foreach (var side in new[] { LungSide.Right, LungSide.Left })
        {
            if (type == FindingType.Effusion)
                sets.Add(new FindingSet([new Finding(type, side, LungZone.NotApplicable, LesionDepth.NotApplicable, LesionSize.Medium, LesionMargin.NotApplicable)]));
            else
                foreach (var zone in new[] { LungZone.Upper, LungZone.Middle, LungZone.Lower })
                    sets.Add(new FindingSet([new Finding(type, side, zone, LesionDepth.Subpleural, LesionSize.Medium, LesionMargin.WellDefined)]));
        }
        return [.. sets.Select(ReportGrammar.Write), .. sets.Select(RadiographGrammar.Write)];
    }

    /// <summary>The negative prompts: the normal report in each vocabulary.</summary>
    public static IReadOnlyList<string> NegativePrompts { get; } = [ReportGrammar.Write(FindingSet.Empty), RadiographGrammar.Write(FindingSet.Empty)];

    /// <summary>Unit prompt embeddings: positive [classes, e] (one per <see cref="Classes"/>) and negative [1, e].</summary>
    public static (Tensor Positive, Tensor Negative) Prompts(MedMoeNet net, Tokenizer tokenizer, int textLength)
    {
        using var scope = Libtorch.NewScope();
        Tensor Mean(IReadOnlyList<string> reports) => MedMoeModel.Normalize(EncodeReports(net, tokenizer, reports, textLength).Mean(0, keepDim: true));
        var positive = Libtorch.Cat(Classes.Select(c => Mean(PositivePrompts(c))).ToArray(), 0);
        return (positive.MoveToOuterScope(), Mean(NegativePrompts).MoveToOuterScope());
    }

    static IReadOnlyList<IReadOnlyList<double>> Rows(Tensor m)
    {
        var values = m.Contiguous().To(DType.Float32).ToArray<float>();
        int rows = (int)m.Size(0), cols = (int)m.Size(1);
        return Enumerable.Range(0, rows).Select(r => (IReadOnlyList<double>)Enumerable.Range(0, cols).Select(c => (double)values[r * cols + c]).ToArray()).ToList();
    }
}

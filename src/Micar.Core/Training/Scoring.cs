using Micar.Data.Synthetic;
using Micar.Metrics;

namespace Micar.Training;

/// <summary>The scores reported for generated reports: jury BLEU-1..4, METEOR, ROUGE-L and the official monitored
/// score (plus coco BLEU-4, ROUGE-L, CIDEr-D, and finding-level F1 on synthetic data).</summary>
public static class Scoring
{
    /// <summary>Scores predictions against references (decoded labels).</summary>
    public static Dictionary<string, double> Score(IReadOnlyList<string> predictions, IReadOnlyList<string> references, bool synthetic, bool coco = false)
    {
        var d = new Dictionary<string, double>();
        if (predictions.All(string.IsNullOrWhiteSpace))
        {
            // jury's BLEU divides by the hypothesis length: an all-empty corpus scores 0 on every metric here.
            foreach (var k in new[] { "bleu1", "bleu2", "bleu3", "bleu4", "meteor", "rougeL", "score" }) d[k] = 0;
        }
        else
        {
            var j = JuryMetrics.Compute(predictions, references);
            d["bleu1"] = j.Bleu1; d["bleu2"] = j.Bleu2; d["bleu3"] = j.Bleu3; d["bleu4"] = j.Bleu4;
            d["meteor"] = j.Meteor; d["rougeL"] = j.RougeL; d["score"] = j.Score;
        }
        if (coco)
        {
            var c = CocoMetrics.Compute(predictions, references);
            d["coco_bleu4"] = c.Bleu4; d["coco_rougeL"] = c.RougeL; d["coco_ciderD"] = c.CiderD;
        }
        if (synthetic)
        {
            var f = FindingScorer.Score(predictions.Zip(references));
            d["finding_precision"] = f.Precision; d["finding_recall"] = f.Recall; d["finding_f1"] = f.F1;
            var t = FindingScorer.Score(predictions.Zip(references), FindingMatch.Type);
            d["finding_type_f1"] = t.F1;
        }
        return d;
    }
}

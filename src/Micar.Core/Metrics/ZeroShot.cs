namespace Micar.Metrics;

/// <summary>
/// Zero-shot multi-label classification from image–prompt similarities: for each class c an image is predicted positive
/// when its similarity to the class's positive prompt (<c>"… shows &lt;finding&gt;"</c>) exceeds that to its negative prompt
/// (<c>"… no &lt;finding&gt;"</c>). Scored with per-class F1, their macro mean and the micro F1 over all (image, class) pairs.
/// </summary>
public static class ZeroShot
{
    /// <summary>Predictions [image][class]: positive-prompt similarity &gt; negative-prompt similarity.</summary>
    public static bool[][] Predict(IReadOnlyList<IReadOnlyList<double>> positive, IReadOnlyList<IReadOnlyList<double>> negative)
    {
        if (positive.Count != negative.Count) throw new ArgumentException($"{positive.Count} positive rows but {negative.Count} negative rows");
        return positive.Select((row, i) =>
        {
            if (row.Count != negative[i].Count) throw new ArgumentException($"image {i}: {row.Count} positive but {negative[i].Count} negative scores");
            return row.Select((s, c) => s > negative[i][c]).ToArray();
        }).ToArray();
    }

    /// <summary>F1 scores of predictions against truth (both [image][class]). A class with neither a true nor a predicted
    /// positive has F1 1 (nothing to find, nothing claimed); micro F1 pools every pair.</summary>
    public static ZeroShotScores Score(IReadOnlyList<IReadOnlyList<bool>> predicted, IReadOnlyList<IReadOnlyList<bool>> truth)
    {
        if (predicted.Count != truth.Count) throw new ArgumentException($"{predicted.Count} predicted rows but {truth.Count} true rows");
        int classes = truth.Count == 0 ? 0 : truth[0].Count;
        var tp = new int[classes]; var fp = new int[classes]; var fn = new int[classes];
        for (int i = 0; i < truth.Count; i++)
        {
            if (truth[i].Count != classes || predicted[i].Count != classes)
                throw new ArgumentException($"image {i}: expected {classes} classes");
            for (int c = 0; c < classes; c++)
            {
                if (predicted[i][c] && truth[i][c]) tp[c]++;
                else if (predicted[i][c]) fp[c]++;
                else if (truth[i][c]) fn[c]++;
            }
        }
        static double F1(int tp, int fp, int fn) => tp + fp + fn == 0 ? 1.0 : 2.0 * tp / (2.0 * tp + fp + fn);
        var perClass = Enumerable.Range(0, classes).Select(c => F1(tp[c], fp[c], fn[c])).ToArray();
        return new ZeroShotScores(perClass, classes == 0 ? 0 : perClass.Average(), F1(tp.Sum(), fp.Sum(), fn.Sum()));
    }
}

/// <summary>Zero-shot classification scores.</summary>
/// <param name="PerClass">F1 of each class.</param>
/// <param name="MacroF1">Mean of the per-class F1.</param>
/// <param name="MicroF1">F1 over all (image, class) pairs.</param>
public sealed record ZeroShotScores(IReadOnlyList<double> PerClass, double MacroF1, double MicroF1);

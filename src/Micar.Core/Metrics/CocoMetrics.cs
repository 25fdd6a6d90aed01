namespace Micar.Metrics;

/// <summary>The coco-flavour metrics (pycocoevalcap BLEU-1..4, ROUGE-L, CIDEr-D; METEOR 1.5 absent).</summary>
public static class CocoMetrics
{
    /// <summary>PTB punctuation tokens COCOEvalCap removes after tokenizing (case-sensitive).</summary>
    public static IReadOnlyList<string> PtbPunctuation { get; } =
        ["''", "'", "``", "`", "-LRB-", "-RRB-", "-LCB-", "-RCB-", ".", "?", "!", ",", ":", "-", "--", "...", ";"];

    /// <summary>Scores a corpus with one reference per prediction.</summary>
    /// <param name="predictions">Generated reports.</param>
    /// <param name="references">Reference reports, one per prediction.</param>
    /// <param name="tokenization">R2Gen convention (default) or the approximate PTB step.</param>
    /// <exception cref="ArgumentException">The lists are empty or differ in length.</exception>
    public static CocoScores Compute(
        IReadOnlyList<string> predictions, IReadOnlyList<string> references, CocoTokenization tokenization = CocoTokenization.R2Gen)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(references);
        var refs = references.Select(r => (IReadOnlyList<string>)[r]).ToList();
        CocoInputs.Validate(predictions, refs);
        var hyps = predictions;
        if (tokenization == CocoTokenization.ApproximatePtb)
        {
            hyps = predictions.Select(ApproximatePtb).ToList();
            refs = refs.Select(rs => (IReadOnlyList<string>)rs.Select(ApproximatePtb).ToList()).ToList();
        }
        else if (tokenization != CocoTokenization.R2Gen)
        {
            throw new ArgumentOutOfRangeException(nameof(tokenization), tokenization, "unknown coco tokenization");
        }
        var bleu = CocoBleu.ComputeMultiReference(hyps, refs);
        var rouge = CocoRougeL.ComputeMultiReference(hyps, refs);
        var cider = CocoCiderD.ComputeMultiReference(hyps, refs);
        return new CocoScores(tokenization, bleu[0], bleu[1], bleu[2], bleu[3], rouge.Score, cider.Score, Meteor: null);
    }

    /// <summary>
    /// The approximate PTB step: lower-case, split on whitespace, drop <see cref="PtbPunctuation"/> tokens,
    /// re-join with single spaces (exact only for already-tokenized text; see <see cref="CocoTokenization.ApproximatePtb"/>).
    /// </summary>
    public static string ApproximatePtb(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return string.Join(' ', PythonString.SplitWhitespace(PythonString.Lower(text)).Where(t => !PtbPunctuation.Contains(t)));
    }
}

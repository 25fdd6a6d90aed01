using System.Text.Json.Serialization;

namespace Micar.Metrics;

/// <summary>How texts are prepared before the coco-flavour scorers (<c>metrics.md</c> §4.1).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CocoTokenization>))]
public enum CocoTokenization
{
    /// <summary>
    /// R2Gen's convention (default): the strings are scored as given; BLEU and CIDEr-D split on whitespace,
    /// ROUGE-L on the single space character; <c>.</c> and <c>,</c> count as tokens.
    /// </summary>
    [JsonStringEnumMemberName("r2gen")]
    R2Gen = 0,

    /// <summary>
    /// An approximation of full COCOEvalCap's Stanford PTBTokenizer step: lower-case, split on whitespace, drop
    /// tokens equal to one of PTB's 17 punctuation strings, re-join with single spaces. Exact only for
    /// already-tokenized text whose tokens are alphanumeric or exactly one of those strings; real PTB also
    /// splits brackets, clitics and quotes, which this does not.
    /// </summary>
    [JsonStringEnumMemberName("approximatePtb")]
    ApproximatePtb = 1,
}

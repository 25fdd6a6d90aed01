using System.Text;

namespace Micar.Data;

/// <summary>
/// The official <c>CustomTokenizer</c>'s encoding and decoding over a <see cref="Vocabulary"/>.
/// </summary>
/// <remarks>
/// Encoding a report for text length T: <c>w = split()[: T−2]</c> mapped to ids (out-of-vocabulary → 3), then
/// <c>input = [1, w…, 2, 0…]</c>, <c>mask = input ≠ 0</c>, <c>labels = [w…, 2, 0…]</c>, each of length T.
/// </remarks>
public sealed class Tokenizer
{
    /// <summary>Creates a tokenizer over <paramref name="vocabulary"/>.</summary>
    public Tokenizer(Vocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        Vocabulary = vocabulary;
    }

    /// <summary>The vocabulary used.</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>Encodes one report exactly as the official tokenizer's <c>__call__</c> does.</summary>
    /// <param name="report">The (cleaned) report text.</param>
    /// <param name="textLength">T, the model's text length (at least 2).</param>
    public EncodedReport Encode(string report, int textLength)
    {
        CheckLength(textLength);
        var input = new long[textLength];
        var mask = new long[input.Length];
        var labels = new long[input.Length];
        EncodeInto(report, textLength, input, mask, labels);
        return new EncodedReport(input, mask, labels);
    }

    /// <summary>Encodes several reports into flat <c>[b·T]</c> arrays (row r occupies <c>[r·T, (r+1)·T)</c>).</summary>
    public EncodedBatch EncodeBatch(IReadOnlyList<string> reports, int textLength)
    {
        ArgumentNullException.ThrowIfNull(reports);
        CheckLength(textLength);
        int b = reports.Count;
        var input = new long[b * textLength];
        var mask = new long[b * textLength];
        var labels = new long[b * textLength];
        for (int r = 0; r < b; r++)
        {
            var span = new Range(r * textLength, (r + 1) * textLength);
            EncodeInto(reports[r] ?? throw new ArgumentException($"report {r} is null", nameof(reports)),
                textLength, input.AsSpan(span), mask.AsSpan(span), labels.AsSpan(span));
        }
        return new EncodedBatch(input, mask, labels, b, textLength);
    }

    /// <summary>Encodes one report into caller-provided spans of length <paramref name="textLength"/>.</summary>
    public void EncodeInto(string report, int textLength, Span<long> inputIds, Span<long> padMask, Span<long> labelIds)
    {
        ArgumentNullException.ThrowIfNull(report);
        CheckLength(textLength);
        if (inputIds.Length != textLength || padMask.Length != textLength || labelIds.Length != textLength)
            throw new ArgumentException($"the output spans must all have length {textLength}");
        var words = PythonText.Split(report);
        int n = Math.Min(words.Count, textLength - 2);
        inputIds.Clear();
        labelIds.Clear();
        inputIds[0] = SpecialTokens.SosId;
        for (int i = 0; i < n; i++)
        {
            long id = Vocabulary.IdOf(words[i]);
            inputIds[i + 1] = id;
            labelIds[i] = id;
        }
        inputIds[n + 1] = SpecialTokens.EosId;
        labelIds[n] = SpecialTokens.EosId;
        for (int i = 0; i < textLength; i++) padMask[i] = inputIds[i] != SpecialTokens.PadId ? 1 : 0;
    }

    /// <summary>
    /// The official <c>decode_by_ids</c>: every <c>&lt;sos&gt;</c>, <c>&lt;eos&gt;</c> and <c>&lt;pad&gt;</c> is
    /// dropped wherever it occurs (decoding does not stop at the first <c>&lt;eos&gt;</c>); the other tokens are
    /// joined by single spaces (<c>&lt;unk&gt;</c> stays literal).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is outside the vocabulary.</exception>
    public string Decode(ReadOnlySpan<long> ids) => DecodeCore(ids, stopAtEos: false);

    /// <summary>Like <see cref="Decode(ReadOnlySpan{long})"/> but stops at the first <c>&lt;eos&gt;</c>; the form
    /// Micar's own decoding uses.</summary>
    public string DecodeUntilEos(ReadOnlySpan<long> ids) => DecodeCore(ids, stopAtEos: true);

    /// <summary>
    /// The reference text the official evaluation scores against for <paramref name="report"/>: its decoded
    /// label ids, i.e. the first T−2 words with out-of-vocabulary words replaced by <c>&lt;unk&gt;</c> (words spelled
    /// like <c>&lt;sos&gt;</c>, <c>&lt;eos&gt;</c> or <c>&lt;pad&gt;</c> vanish, as in decoding).
    /// </summary>
    public string ReferenceText(string report, int textLength)
    {
        ArgumentNullException.ThrowIfNull(report);
        CheckLength(textLength);
        var words = PythonText.Split(report);
        int n = Math.Min(words.Count, textLength - 2);
        var sb = new StringBuilder();
        for (int i = 0; i < n; i++)
        {
            int id = Vocabulary.IdOf(words[i]);
            if (IsDropped(id)) continue;
            if (sb.Length > 0) sb.Append(' ');
            sb.Append(Vocabulary.TokenOf(id));
        }
        return sb.ToString();
    }

    private string DecodeCore(ReadOnlySpan<long> ids, bool stopAtEos)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < ids.Length; i++)
        {
            long id = ids[i];
            if (id < 0 || id >= Vocabulary.Count)
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"id {id} at position {i} is outside the vocabulary (size {Vocabulary.Count})");
            if (stopAtEos && id == SpecialTokens.EosId) break;
            if (IsDropped(id)) continue;
            if (sb.Length > 0) sb.Append(' ');
            sb.Append(Vocabulary.TokenOf(id));
        }
        return sb.ToString();
    }

    private static bool IsDropped(long id) => id is SpecialTokens.PadId or SpecialTokens.SosId or SpecialTokens.EosId;

    private static void CheckLength(int textLength)
    {
        if (textLength < 2)
            throw new ArgumentOutOfRangeException(nameof(textLength), textLength, "the text length T must be at least 2 (room for <sos> and <eos>)");
    }
}

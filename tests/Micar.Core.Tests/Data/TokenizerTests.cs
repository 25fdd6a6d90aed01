using Micar.Data;
using Xunit;

namespace Micar.Tests.Data;

public sealed class TokenizerTests
{
    private static Tokenizer Small() => new(Vocabulary.FromRegularTokens([".", "clear", "is", "lung", "the"]));

    [Fact]
    public void Encode_by_hand()
    {
        // ids: . 4, clear 5, is 6, lung 7, the 8; "pleura" is out of vocabulary (3).
        var e = Small().Encode("the lung is clear pleura .", 10);
        Assert.Equal([1, 8, 7, 6, 5, 3, 4, 2, 0, 0], e.InputIds);
        Assert.Equal([1, 1, 1, 1, 1, 1, 1, 1, 0, 0], e.PadMask);
        Assert.Equal([8, 7, 6, 5, 3, 4, 2, 0, 0, 0], e.LabelIds);
    }

    [Fact]
    public void Encode_truncates_to_T_minus_2_words()
    {
        var e = Small().Encode("the lung is clear .", 5);
        Assert.Equal([1, 8, 7, 6, 2], e.InputIds);
        Assert.Equal([1, 1, 1, 1, 1], e.PadMask);
        Assert.Equal([8, 7, 6, 2, 0], e.LabelIds);
        var two = Small().Encode("the lung", 2);
        Assert.Equal([1, 2], two.InputIds);
        Assert.Equal([2, 0], two.LabelIds);
        Assert.Throws<ArgumentOutOfRangeException>(() => Small().Encode("x", 1));
    }

    [Fact]
    public void Encodings_match_the_official_tokenizer()
    {
        var fx = DataFixtures.Json("tokenizer.json");
        var v = Vocabulary.Build(fx.GetProperty("reports").EnumerateArray().Select(e => e.GetString()!));
        var tok = new Tokenizer(v);
        foreach (var c in fx.GetProperty("encodings").EnumerateArray())
        {
            string report = c.GetProperty("report").GetString()!;
            int t = c.GetProperty("T").GetInt32();
            var e = tok.Encode(report, t);
            Assert.Equal(DataFixtures.Ints(c.GetProperty("input_ids")).Select(i => (long)i), e.InputIds);
            Assert.Equal(DataFixtures.Ints(c.GetProperty("pad_mask")).Select(i => (long)i), e.PadMask);
            Assert.Equal(DataFixtures.Ints(c.GetProperty("label_ids")).Select(i => (long)i), e.LabelIds);
            Assert.Equal(c.GetProperty("reference").GetString(), tok.ReferenceText(report, t));
        }
    }

    [Fact]
    public void Encode_then_decode_round_trips_in_vocabulary_reports()
    {
        var tok = new Tokenizer(Vocabulary.LoadReleased("covctr"));
        string report = "the lungs are clear , no pleural thickening .";
        Assert.All(PythonText.Split(report), w => Assert.True(tok.Vocabulary.Contains(w), w));
        var e = tok.Encode(report, 40);
        Assert.Equal(report, tok.Decode(e.InputIds));
        Assert.Equal(report, tok.Decode(e.LabelIds));
        Assert.Equal(report, tok.DecodeUntilEos(e.LabelIds));
        Assert.Equal(report, tok.ReferenceText(report, 40));
    }

    [Fact]
    public void Decode_drops_specials_anywhere_but_DecodeUntilEos_stops()
    {
        var tok = Small();
        long[] ids = [1, 8, 0, 7, 2, 6, 3, 2, 0];
        Assert.Equal("the lung is <unk>", tok.Decode(ids));
        Assert.Equal("the lung", tok.DecodeUntilEos(ids));
        Assert.Equal("", tok.Decode([]));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => tok.Decode([1, 9]));
        Assert.Contains("position 1", ex.Message);
    }

    [Fact]
    public void Reference_text_is_the_decoded_labels()
    {
        var tok = Small();
        string report = "the pleura <sos> is clear <unk> . extra words beyond";
        for (int t = 2; t < 14; t++)
            Assert.Equal(tok.Decode(tok.Encode(report, t).LabelIds), tok.ReferenceText(report, t));
        Assert.Equal("the <unk> is clear <unk>", tok.ReferenceText(report, 8));
    }

    [Fact]
    public void Batch_encoding_is_row_major()
    {
        var tok = Small();
        string[] reports = ["the lung", "is clear .", ""];
        var b = tok.EncodeBatch(reports, 6);
        Assert.Equal(3, b.BatchSize);
        Assert.Equal(6, b.Length);
        Assert.Equal(18, b.InputIds.Length);
        for (int r = 0; r < reports.Length; r++)
        {
            var e = tok.Encode(reports[r], 6);
            Assert.Equal(e.InputIds, b.InputIds[(r * 6)..((r + 1) * 6)]);
            Assert.Equal(e.PadMask, b.PadMask[(r * 6)..((r + 1) * 6)]);
            Assert.Equal(e.LabelIds, b.LabelIds[(r * 6)..((r + 1) * 6)]);
        }
        Assert.Equal([1, 2, 0, 0, 0, 0], b.InputIds[12..]);
    }
}

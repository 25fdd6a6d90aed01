using System.Text.Json;
using Micar.Layers;
using Micar.Spec;
using Xunit;

namespace Micar.Tests.Spec;

public class DescribeTests
{
    private static readonly ModelSummary Tiny = Presets.Get("official-tiny").Describe(batch: 2);

    [Fact]
    public void RowsFollowTheStateDictTree()
    {
        Assert.Equal("", Tiny.Rows[0].Path);
        Assert.Equal("CaptionModel", Tiny.Rows[0].Kind);
        Assert.Equal(42_924_082L, Tiny.Rows[0].Parameters);
        Assert.Equal(Tiny.Totals.Flops, Tiny.Rows[0].Flops);
        Assert.Equal(["vis_enc", "proj", "text_embs", "encoder", "decoder", "gen_logits"],
            Tiny.Rows.Where(r => r.Depth == 1).Select(r => r.Path));
        Assert.Equal(new Shape(2, 49, 64), Tiny.Row("vis_enc")!.OutputShape);
        Assert.Equal(new Shape(2, 49, 32), Tiny.Row("encoder")!.OutputShape);
        Assert.Equal(new Shape(2, 12, 50), Tiny.Row("gen_logits")!.OutputShape);
        Assert.Equal(new Shape(2 * 12, 4), Tiny.Row("decoder.layers.0.moe.gate")!.OutputShape);
        Assert.Null(Tiny.Row("decoder.layers.0.moe.experts")!.OutputShape); // a container, never called itself
        Assert.Equal("MdlaCrossAttention", Tiny.Row("decoder.layers.1.gated_fusion.cross_attention")!.Kind);
        Assert.Equal(Tiny.Rows.Where(r => r.Depth == 1).Sum(r => r.Flops), Tiny.Totals.Flops);
        Assert.Equal(Tiny.Rows.Where(r => r.Depth == 1).Sum(r => r.Parameters), Tiny.Totals.Parameters);
    }

    [Fact]
    public void TotalsCountKeysAndKinds()
    {
        Assert.Equal(768, Tiny.Totals.Keys);
        Assert.Equal(6 * 3, Tiny.Totals.Frozen); // six attention modules × 3 freqs
        Assert.Equal(Tiny.Totals.Parameters - Tiny.Totals.Frozen, Tiny.Totals.Trainable);
        Assert.Equal(new[] { new Shape(2, 3, 224, 224), new Shape(2, 12) }, Tiny.Inputs);
    }

    [Fact]
    public void TextTableShowsTheChosenDepth()
    {
        var text = Tiny.ToText(maxDepth: 1);
        var lines = text.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("official-tiny: inputs [2, 3, 224, 224], [2, 12] -> [2, 12, 50]", lines[0]);
        Assert.StartsWith("path", lines[1]);
        Assert.Equal(2 + 1 + 7 + 2, lines.Length); // title, header, rule, root + 6 blocks, two total lines
        Assert.Contains(lines, l => l.StartsWith("  vis_enc ") && l.Contains("[2, 49, 64]") && l.Contains("42,783,744"));
        Assert.Contains("parameters 42,924,082 (trainable 42,924,064, frozen 18)", text);
        Assert.Contains("768 state-dict keys", text);
    }

    [Fact]
    public void JsonCarriesEveryRow()
    {
        using var doc = JsonDocument.Parse(Tiny.ToJson());
        var root = doc.RootElement;
        Assert.Equal("official-tiny", root.GetProperty("name").GetString());
        Assert.Equal(42_924_082L, root.GetProperty("totals").GetProperty("parameters").GetInt64());
        Assert.Equal(Tiny.Rows.Count, root.GetProperty("rows").GetArrayLength());
        var logits = root.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("path").GetString() == "gen_logits");
        Assert.Equal([2L, 12, 50], logits.GetProperty("outputShape").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal([2L, 12, 50], root.GetProperty("output").EnumerateArray().Select(e => e.GetInt64()));
    }

    [Fact]
    public void CovctrSummaryAtBatchOne()
    {
        var s = Presets.Get("official-covctr").Describe();
        Assert.Equal(156_003_592L, s.Totals.Parameters);
        Assert.Equal(new Shape(1, 80, 229), s.Output);
        Assert.Equal(new Shape(1, 49, 2048), s.Row("vis_enc")!.OutputShape);
        Assert.Contains(s.ToText(2).ReplaceLineEndings("\n").Split('\n'), l => l.StartsWith("    vis_enc.fusion ") && l.EndsWith("236.76 G"));
    }
}

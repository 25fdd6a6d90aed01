using Micar.Data;
using Micar.Data.Images;
using Micar.Decoding;
using Micar.Model;
using Micar.Reports;
using Micar.Torch;
using Micar.Nn;

namespace Micar.Training;


/// <summary>Generates a report for one image and collects what the model looked at while writing it: cross- and
/// self-attention per decoder layer, expert routing, and the MSVE pyramid maps, as <see cref="ExplainData"/>.</summary>
public static class Explainer
{
    /// <summary>Decodes <paramref name="imagePath"/> with <paramref name="decode"/>, then re-runs the decoder on the generated
    /// report (teacher forcing) with a trace sink; <paramref name="imageDecode"/> sets the image decoder's limits and 16-bit mapping.</summary>
    public static ExplainData Explain(Checkpoint.Loaded ckpt, string imagePath, DecodeOptions decode, string? reference = null,
        ImageDecodeOptions? imageDecode = null)
    {
        using var scope = Libtorch.NewScope();
        using var noGrad = Autograd.NoGrad();
        var net = ckpt.Net();
        var image = ImageIO.Load(imagePath, imageDecode);
        var transform = ImageBatcher.TransformFor(ckpt.Spec.Vision.ImageSize);
        var tensor = ImageBatcher.Load([imagePath], transform, decodeOptions: imageDecode);
        var hyp = ReportDecoder.Generate(net, tensor, decode)[0];
        var tokens = hyp.Tokens.Select(id => ckpt.Vocab.TokenOf(id)).Append(SpecialTokens.Eos).ToArray();
        var input = hyp.Tokens.Prepend(SpecialTokens.SosId).ToArray();
        if (input.Length > ckpt.Model.TextSeqLen) input = input[..ckpt.Model.TextSeqLen];
        var keys = input.Select(id => ckpt.Vocab.TokenOf(id)).ToArray();
        tokens = tokens[..input.Length];

        using var trace = new TraceRecorder();
        var ctx = ForwardContext.Eval with { Trace = trace };
        net.Forward(tensor, Tensor.From<long>(input, 1, input.Length), null, ctx);

        int layers = ckpt.Model.Decoder.Blocks.Count;
        var cross = new float[layers][][][];
        var self = new float[layers][][][];
        var routing = new List<RoutingTrace>();
        for (int l = 0; l < layers; l++)
        {
            var path = $"decoder.layers.{l}";
            cross[l] = PerTokenHeads(trace.Of("attention", path + ".gated_fusion.cross_attention").Single().Value);
            self[l] = Heads(trace.Of("attention", path + ".self_attention").Single().Value);
            var probs = trace.Of("routing.probs", path + ".moe").SingleOrDefault().Value;
            if (probs is null) continue;
            var chosen = trace.Of("routing.experts", path + ".moe").Single().Value;
            var load = trace.Of("routing.load", path + ".moe").Single().Value;
            routing.Add(new RoutingTrace
            {
                Probabilities = Rows(probs),
                Chosen = IntRows(chosen),
                Load = load.ToArray<long>().Select(v => (int)v).ToArray(),
            });
        }
        var pyramid = new List<FeatureMap>();
        foreach (var name in new[] { "P2", "P3", "P4", "P5", "F" })
            foreach (var (_, map) in trace.Of("pyramid." + name, "vis_enc"))
                pyramid.Add(new FeatureMap { Name = name, Values = Rows(map.Select(0, 0)) });
        return new ExplainData
        {
            Image = ExplainImage.From(image),
            Tokens = tokens,
            Reference = reference,
            GridRows = ckpt.Model.Vision.GridHeight,
            GridCols = ckpt.Model.Vision.GridWidth,
            CrossAttention = cross,
            SelfAttention = self,
            SelfAttentionKeys = keys,
            Routing = [.. routing],
            Pyramid = [.. pyramid],
        };
    }

    static float[][] Rows(Tensor t)
    {
        var m = t.Dim == 2 ? t : t.Reshape(-1, t.Size(-1));
        long cols = m.Size(1);
        var v = m.Float().ToArray<float>();
        return Enumerable.Range(0, (int)m.Size(0)).Select(r => v.AsSpan((int)(r * cols), (int)cols).ToArray()).ToArray();
    }

    static int[][] IntRows(Tensor t)
    {
        long cols = t.Size(1);
        var v = t.ToArray<long>();
        return Enumerable.Range(0, (int)t.Size(0)).Select(r => v.Skip((int)(r * cols)).Take((int)cols).Select(x => (int)x).ToArray()).ToArray();
    }

    /// <summary>[1, H, T, K] → [H][T][K].</summary>
    static float[][][] Heads(Tensor a) =>
        Enumerable.Range(0, (int)a.Size(1)).Select(h => Rows(a.Select(0, 0).Select(0, h))).ToArray();

    /// <summary>[1, H, T, N] → [T][H][N].</summary>
    static float[][][] PerTokenHeads(Tensor a) =>
        Enumerable.Range(0, (int)a.Size(2)).Select(t => Rows(a.Select(0, 0).Select(1, t))).ToArray();
}

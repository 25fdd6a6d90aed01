using Micar.Decoding;
using Micar.Model;
using Micar.Tests.Model;
using Micar.Torch;
using Xunit;
using Micar.Nn;

namespace Micar.Tests.Decoding;


public class DecoderTests
{
    static (CaptionNet Net, Tensor Memory) Setup()
    {
        var f = DeterministicWeights.Load("tiny_model.safetensors");
        var net = ModelFixture.Net();
        using var noGrad = Autograd.NoGrad();
        return (net, net.EncodeImage(f["image"], ForwardContext.Eval));
    }

    [Fact]
    public void Greedy_decoding_matches_the_official_beam_search_which_is_greedy()
    {
        using var scope = Libtorch.NewScope();
        var f = DeterministicWeights.Load("tiny_model.safetensors");
        var (net, memory) = Setup();
        var hyps = ReportDecoder.GenerateFromMemory(net, memory, new DecodeOptions { BeamWidth = 1 });
        var official = f["official_beam"].ToArray<long>();      // [2, T] or [2, T+1] incl. leading sos
        long width = f["official_beam"].Size(1);
        for (int i = 0; i < 2; i++)
        {
            var row = official.Skip((int)(i * width) + 1).Take((int)width - 1).ToArray();
            var expected = row.TakeWhile(t => t != 2).ToArray();
            Assert.Equal(expected, hyps[i].Tokens);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Cached_decoding_yields_exactly_the_tokens_of_full_recomputation(int width)
    {
        using var scope = Libtorch.NewScope();
        var (net, memory) = Setup();
        var cached = ReportDecoder.GenerateFromMemory(net, memory, new DecodeOptions { BeamWidth = width, UseCache = true });
        var full = ReportDecoder.GenerateFromMemory(net, memory, new DecodeOptions { BeamWidth = width, UseCache = false });
        for (int i = 0; i < cached.Count; i++)
        {
            Assert.Equal(full[i].Tokens, cached[i].Tokens);
            Assert.Equal(full[i].Score, cached[i].Score, 3);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Greedy_batches_whose_reports_end_at_different_steps_decode_each_image_as_alone(bool useCache)
    {
        using var scope = Libtorch.NewScope();
        var (net, memory) = Setup();
        var options = new DecodeOptions { BeamWidth = 1, UseCache = useCache };
        var (rows, batch) = EosProneBatch(net, memory, options);
        var together = ReportDecoder.GenerateFromMemory(net, batch, options);
        for (int i = 0; i < rows.Length; i++)
        {
            var alone = ReportDecoder.GenerateFromMemory(net, rows[i], options)[0];
            Assert.Equal(alone.Tokens, together[i].Tokens);
            Assert.Equal(alone.Finished, together[i].Finished);
            Assert.Equal(alone.Score, together[i].Score, 4);
        }
        var lengths = together.Select(h => (h.Tokens.Length, h.Finished)).Distinct().Count();
        Assert.True(lengths > 1 && together.Any(h => h.Finished),
            "the batch must contain reports of different lengths, some finished: " + string.Join(", ", together.Select(h => $"{h.Tokens.Length}{(h.Finished ? "+eos" : "")}")));
    }

    /// <summary>Eight random image memories of growing scale, with the model's weights changed so that their reports
    /// differ and end at different steps (leaving the batch one by one).</summary>
    static (Tensor[] Rows, Tensor Batch) EosProneBatch(CaptionNet net, Tensor memory, DecodeOptions options)
    {
        var gen = new Generator(17);
        var rows = Enumerable.Range(0, 8).Select(i => Libtorch.Randn(memory.Narrow(0, 0, 1).Shape, gen).Mul(0.5 * (i + 1))).ToArray();
        var batch = Libtorch.Cat(rows, 0);
        using (Autograd.NoGrad())                                  // let the image steer the text: amplify its pooled summary
            foreach (var key in net.Params.Keys.Where(k => k.EndsWith("gated_fusion.global_proj.weight")))
                net.Params[key].Mul_(40.0);
        // Make <eos> likely: its output row becomes a scaled copy of the row of a token the untrained model often picks.
        var before = ReportDecoder.GenerateFromMemory(net, batch, options with { BeamWidth = 1 });
        var first = before[0].Tokens[before[0].Tokens.Length / 2];                  // a token row 0 writes mid-report
        using (Autograd.NoGrad())
        {
            var w = net.Params["gen_logits.1.weight"];
            w.Narrow(0, 2, 1).Copy_(w.Narrow(0, first, 1).Mul(1.05));
        }
        return (rows, batch);
    }

    [Fact]
    public void Cached_beam_search_over_a_batch_whose_images_finish_at_different_steps_equals_full_recomputation()
    {
        // Images leave the beam batch as they finish: the cache drops their rows (image keys and global vector
        // included), while steps that only reorder beams within each image leave the image's cross-attention state alone.
        using var scope = Libtorch.NewScope();
        var (net, memory) = Setup();
        var options = new DecodeOptions { BeamWidth = 3, UseCache = true };
        var (_, batch) = EosProneBatch(net, memory, options);
        var cached = ReportDecoder.GenerateFromMemory(net, batch, options);
        var full = ReportDecoder.GenerateFromMemory(net, batch, options with { UseCache = false });
        for (int i = 0; i < cached.Count; i++)
        {
            Assert.Equal(full[i].Tokens, cached[i].Tokens);
            Assert.Equal(full[i].Finished, cached[i].Finished);
            Assert.Equal(full[i].Score, cached[i].Score, 3);
        }
        Assert.True(cached.Select(h => (h.Tokens.Length, h.Finished)).Distinct().Count() > 1 && cached.Any(h => h.Finished),
            "the batch must contain reports of different lengths, some finished: " + string.Join(", ", cached.Select(h => $"{h.Tokens.Length}{(h.Finished ? "+eos" : "")}")));
    }

    [Fact]
    public void Beam_width_one_equals_greedy_and_wider_beams_never_score_worse_on_finished_reports()
    {
        using var scope = Libtorch.NewScope();
        var (net, memory) = Setup();
        var greedy = ReportDecoder.GenerateFromMemory(net, memory, new DecodeOptions { BeamWidth = 1 });
        var beam1 = ReportDecoder.BeamSearch(net, memory, new DecodeOptions { BeamWidth = 1 });
        var beam4 = ReportDecoder.BeamSearch(net, memory, new DecodeOptions { BeamWidth = 4 });
        for (int i = 0; i < greedy.Count; i++)
        {
            Assert.Equal(greedy[i].Tokens, beam1[i].Tokens);
            Assert.Equal(greedy[i].Score, beam1[i].Score, 4);
            if (greedy[i].Finished && beam4[i].Finished) Assert.True(beam4[i].Score >= greedy[i].Score - 1e-4);
            Assert.DoesNotContain(2L, beam4[i].Tokens);   // nothing after (or including) <eos>
        }
    }
}

using Micar.Layers;
using Micar.Torch;
using Micar.Nn;
using B = Micar.Blocks;

namespace Micar.Model;


/// <summary>Logits and the decoder's balance value (mean over decoder layers).</summary>
/// <param name="Logits">[b, T, V].</param>
/// <param name="BalanceLoss">Scalar; 0 when the decoder has no MoE.</param>
public sealed record DecoderOutput(Tensor Logits, Tensor BalanceLoss);

/// <summary>Per-layer self-attention keys/values and cached cross-attention keys/values for incremental decoding.</summary>
public sealed class DecoderCache : IDisposable
{
    internal DecoderCache(int layers)
    {
        Self = Enumerable.Range(0, layers).Select(_ => new B.AttentionCache()).ToArray();
        Cross = Enumerable.Range(0, layers).Select(_ => new B.AttentionCache()).ToArray();
    }

    internal B.AttentionCache[] Self { get; }
    internal B.AttentionCache[] Cross { get; }

    /// <summary>Number of decoded positions held.</summary>
    public long Length => Self.Length == 0 ? 0 : Self[0].Length;

    /// <summary>Keeps batch rows <paramref name="rows"/> (in that order), e.g. when beams are reordered. Pass
    /// <paramref name="crossAttention"/> false when every position keeps a row of the same image as before (beams
    /// reordered among the beams of each image): the image's cross-attention state is then already in place.</summary>
    public void Reorder(Tensor rows, bool crossAttention = true)
    {
        foreach (var c in Self) c.Reorder(rows);
        if (!crossAttention) return;
        foreach (var c in Cross) c.Reorder(rows);
    }

    /// <summary>Releases the cached tensors.</summary>
    public void Dispose()
    {
        foreach (var c in Self) c.Dispose();
        foreach (var c in Cross) c.Dispose();
    }
}

/// <summary>
/// A MicarVLMoE description bound to its parameters: the forward pass of §2 of the reference, block by block
/// (<see cref="B.Msve"/>, <see cref="B.Mdla"/>, <see cref="B.GatedFusion"/>, <see cref="B.Moe"/>), plus the
/// split into image encoding and (incremental) text decoding used by beam search.
/// </summary>
public sealed class CaptionNet
{
    /// <summary>Binds a description to a store; fails listing missing, unexpected and wrongly shaped keys.</summary>
    public CaptionNet(CaptionModel description, ParamStore parameters)
    {
        Description = description;
        Params = parameters;
        _proj = NormThenLinear(description.Proj, nameof(CaptionModel.Proj));
        _head = NormThenLinear(description.GenLogits, nameof(CaptionModel.GenLogits));
        Checkpoint.EnsureMatches(description, parameters);
    }

    readonly (RmsNorm Norm, Linear Linear) _proj, _head;

    /// <summary>The two layers of <c>proj</c> or <c>gen_logits</c>, the only structure the forward runs.</summary>
    static (RmsNorm, Linear) NormThenLinear(Sequential head, string field) =>
        head.Items is [RmsNorm norm, Linear linear]
            ? (norm, linear)
            : throw new NotSupportedException($"CaptionModel.{field} must be [RmsNorm, Linear] to run, not [{string.Join(", ", head.Items.Select(l => l.Kind))}]");

    /// <summary>The layer description.</summary>
    public CaptionModel Description { get; }

    /// <summary>The parameters and buffers (official state-dict keys).</summary>
    public ParamStore Params { get; }

    static B.MdlaConfig Config(Mdla m) => new(m.Heads, m.QkNopeDim, m.QkRopeDim,
        m.Scale == AttentionScale.Latent ? Math.Sqrt(m.LatentDim) : Math.Sqrt(m.QkNopeDim + m.QkRopeDim), m.AttentionDropout);

    /// <summary>Image tokens of the vision encoder (MSVE, or the pooled last stage without it): [b, N, d_v].</summary>
    public Tensor VisionFeatures(Tensor image, ForwardContext ctx)
    {
        using var scope = Libtorch.NewScope();
        var vision = Description.Vision;
        var vp = Params.View("vis_enc");
        var c = B.ResNet.Forward(vp, image, vision.Backbone, B.ResNetNaming.Official, ctx);
        var tokens = vision.MultiScale ? B.Msve.Forward(vp, c, vision, ctx).Tokens : B.Msve.Pool(c[3], vision.GridHeight, vision.GridWidth);
        return tokens.MoveToOuterScope();
    }

    /// <summary>The projection <c>proj</c> (RMSNorm d_v, Linear d_v→d): [b, N, d_v] → [b, N, d].</summary>
    public Tensor Project(Tensor features)
    {
        using var scope = Libtorch.NewScope();
        var p = Params.View("proj");
        return F.Linear(B.RmsNorm.Forward(features, p["0.weight"], _proj.Norm.Eps), p["1.weight"], p.Optional("1.bias")).MoveToOuterScope();
    }

    /// <summary>Image tokens after the vision encoder and the projection: [b, N, d].</summary>
    public Tensor VisualTokens(Tensor image, ForwardContext ctx)
    {
        using var scope = Libtorch.NewScope();
        return Project(VisionFeatures(image, ctx)).MoveToOuterScope();
    }

    /// <summary>The latent encoder over projected image tokens (identity without one): [b, N, d].</summary>
    public Tensor EncodeTokens(Tensor tokens, ForwardContext ctx)
    {
        if (Description.Encoder is not { } encoder) return tokens.Alias();
        using var scope = Libtorch.NewScope();
        var x = tokens;
        for (int i = 0; i < encoder.Blocks.Count; i++)
        {
            var blk = encoder.Blocks[i];
            var p = Params.View($"encoder.layers.{i}");
            var path = $"encoder.layers.{i}.self_attention";
            x = x.Add(B.Mdla.SelfAttention(p.At("self_attention"), B.RmsNorm.Forward(x, p["norm_sa.weight"], blk.NormSa.Eps), null,
                Config(blk.SelfAttention), ctx, path));
            x = x.Add(B.GatedFfn.Forward(p.At("ff"), B.RmsNorm.Forward(x, p["norm_ff.weight"], blk.NormFf.Eps),
                B.Activations.Of(blk.Ff.Activation), blk.Ff.Dropout, ctx));
        }
        return x.MoveToOuterScope();
    }

    /// <summary>Image → encoder memory [b, N, d].</summary>
    public Tensor EncodeImage(Tensor image, ForwardContext ctx)
    {
        using var scope = Libtorch.NewScope();
        return EncodeTokens(VisualTokens(image, ctx), ctx).MoveToOuterScope();
    }

    /// <summary>A cache for incremental decoding.</summary>
    public DecoderCache NewCache() => new(Description.Decoder.Blocks.Count);

    /// <summary>Decodes token ids [b, T] against encoder memory [b, N, d] with teacher forcing (causal mask and
    /// optional pad mask [b, T]). With a <paramref name="cache"/>, <paramref name="ids"/> holds only the next
    /// positions; earlier positions come from the cache, which is extended. The first call with a cache stores what
    /// the decoder needs of the image (cross-attention keys and values, the gated-fusion summary); later calls read
    /// those and not <paramref name="memory"/>, whose rows need not match the cache's then.</summary>
    public DecoderOutput Decode(Tensor ids, Tensor memory, Tensor? padMask, ForwardContext ctx, DecoderCache? cache = null)
    {
        using var scope = Libtorch.NewScope();
        long b = ids.Size(0), t = ids.Size(1);
        long offset = cache?.Length ?? 0;
        var x = B.TextEmbedding.Forward(Params.View("text_embs"), ids, Description.DModel, Description.TextEmbedding.Dropout, ctx, offset);
        Tensor? mask = null;
        if (cache is null) mask = B.Masks.Causal(b, t, padMask, ids.Device);
        else if (t > 1 || padMask is not null)
        {
            // New queries at offset…offset+t−1 see every key up to their own position.
            var m = Libtorch.Ones([t, offset + t], DType.Int64, ids.Device).Tril(offset).Unsqueeze(0).Expand(b, -1, -1);
            mask = padMask is null ? m : m.Mul(padMask.Ne(0).Long().Unsqueeze(1));
        }
        var blocks = Description.Decoder.Blocks;
        Tensor lbSum = Libtorch.Zeros([], DType.Float32, ids.Device);
        int moeLayers = 0;
        for (int i = 0; i < blocks.Count; i++)
        {
            var blk = blocks[i];
            var p = Params.View($"decoder.layers.{i}");
            var path = $"decoder.layers.{i}";
            var h1 = x.Add(B.Mdla.SelfAttention(p.At("self_attention"), B.RmsNorm.Forward(x, p["norm_sa.weight"], blk.NormSa.Eps), mask,
                Config(blk.SelfAttention), ctx, path + ".self_attention", cache?.Self[i]));
            var gf = blk.GatedFusion;
            var h2 = h1.Add(B.GatedFusion.Forward(p.At("gated_fusion"), h1, memory, Config(gf.CrossAttention),
                B.Activations.Of(gf.Activation), gf.Dropout, ctx, path + ".gated_fusion", cache?.Cross[i], offset));
            var normed = B.RmsNorm.Forward(h2, p[$"{blk.NormFfName}.weight"], blk.NormFf.Eps);
            if (blk.FeedForward is Moe moe)
            {
                var r = B.Moe.Forward(p.At("moe"), normed, moe.Experts, moe.TopK, moe.Combine, moe.Dispatch,
                    B.Activations.Of(moe.Activation), moe.Dropout, ctx, path + ".moe");
                x = h2.Add(r.Output);
                lbSum = lbSum.Add(r.BalanceLoss);
                moeLayers++;
            }
            else if (blk.FeedForward is GatedFfn ffn)
                x = h2.Add(B.GatedFfn.Forward(p.At("ff"), normed, B.Activations.Of(ffn.Activation), ffn.Dropout, ctx));
            else
                throw new NotSupportedException($"decoder feed-forward {blk.FeedForward.Kind} is not implemented");
        }
        var g = Params.View("gen_logits");
        var logits = F.Linear(B.RmsNorm.Forward(x, g["0.weight"], _head.Norm.Eps), g["1.weight"], g.Optional("1.bias"));
        var lb = moeLayers == 0 ? lbSum : lbSum.Div(moeLayers);
        return new DecoderOutput(logits.MoveToOuterScope(), lb.MoveToOuterScope());
    }

    /// <summary>The whole forward pass: image [b, 3, H, W], ids [b, T], optional pad mask [b, T] → logits and balance value.</summary>
    public DecoderOutput Forward(Tensor image, Tensor ids, Tensor? padMask, ForwardContext ctx)
    {
        using var scope = Libtorch.NewScope();
        var memory = EncodeImage(image, ctx);
        var r = Decode(ids, memory, padMask, ctx);
        r.Logits.MoveToOuterScope();
        r.BalanceLoss.MoveToOuterScope();
        return r;
    }
}

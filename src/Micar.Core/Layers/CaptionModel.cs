using Micar.Torch;
using Micar.Nn;
namespace Micar.Layers;

/// <summary>
/// The whole MicarVLMoE captioner (§2), inputs image <c>[b, 3, H, W]</c>, ids <c>[b, T]</c> (and optionally the
/// pad mask <c>[b, T]</c>) → logits <c>[b, T, VocabSize]</c> (plus the decoder's balance value):
/// <code>
/// V = vis_enc(image)                 // [b, N, d_v]
/// V = proj(V)                        // RMSNorm(d_v), Linear d_v→d with bias: [b, N, d]
/// E = encoder(V)                     // [b, N, d]; E = V when there is no latent encoder
/// X = text_embs(ids)                 // [b, T, d]
/// Y = decoder(X, E, causal_mask(pad_mask))
/// logits = gen_logits(Y)             // RMSNorm(d), Linear d→V without bias
/// </code>
/// Children <c>vis_enc</c>, <c>proj</c>, <c>text_embs</c>, <c>encoder</c> (absent when <see cref="Encoder"/> is
/// null: the "w/o latent encoder" ablation), <c>decoder</c>, <c>gen_logits</c>.
/// </summary>
/// <param name="Vision">The vision encoder.</param>
/// <param name="Proj">Projection of the image tokens to the model width.</param>
/// <param name="Encoder">The latent encoder, or null.</param>
/// <param name="TextEmbedding">The text embedding.</param>
/// <param name="Decoder">The decoder.</param>
/// <param name="GenLogits">The output head.</param>
public sealed record CaptionModel(Msve Vision, Sequential Proj, Encoder? Encoder, TextEmbedding TextEmbedding, Decoder Decoder, Sequential GenLogits) : ILayer
{
    /// <inheritdoc/>
    public string Kind => "CaptionModel";

    /// <summary>Model width d.</summary>
    public int DModel => TextEmbedding.DModel;

    /// <summary>Vocabulary size V.</summary>
    public int VocabSize => TextEmbedding.VocabSize;

    /// <summary>Longest text sequence (rows of the position table).</summary>
    public int TextSeqLen => TextEmbedding.MaxLength;

    /// <summary>Number of image tokens N.</summary>
    public int ImageTokens => Vision.Tokens;

    /// <summary>Weight α of the decoder's balance value in the training loss (loss = cross-entropy + α·balance value):
    /// the <see cref="Moe.BalanceLossWeight"/> of the decoder's MoE layers, which must all be the same (validation
    /// rejects a decoder whose MoE layers differ; the balance value is their mean, weighted once); 0 when the decoder
    /// has no MoE layer.</summary>
    public double BalanceLossWeight => MoeLayers.Select(m => m.BalanceLossWeight).FirstOrDefault();

    private IEnumerable<Moe> MoeLayers => Decoder?.Blocks is { } blocks ? blocks.Select(b => b?.FeedForward).OfType<Moe>() : [];

    /// <inheritdoc/>
    public IReadOnlyList<ParamInfo> Tensors => [];

    /// <inheritdoc/>
    public IReadOnlyList<NamedLayer> Children =>
    [
        new("vis_enc", Vision), new("proj", Proj), new("text_embs", TextEmbedding),
        .. Encoder is null ? Array.Empty<NamedLayer>() : [new NamedLayer("encoder", Encoder)],
        new("decoder", Decoder), new("gen_logits", GenLogits),
    ];

    /// <inheritdoc/>
    public IEnumerable<string> CheckFields()
    {
        var tokens = new Shape(1, Math.Max(ImageTokens, 1), DModel);
        var text = new Shape(1, Math.Max(TextSeqLen, 1), DModel);
        foreach (var p in Fits("Proj", Proj, new Shape(1, Math.Max(ImageTokens, 1), Vision.Width), tokens)) yield return p;
        if (Encoder is not null)
            foreach (var p in Fits("Encoder", Encoder, tokens, tokens)) yield return p;
        foreach (var p in Fits("Decoder", Decoder, text, text, tokens)) yield return p;
        foreach (var p in Fits("GenLogits", GenLogits, text, text.WithLast(VocabSize))) yield return p;
        var weights = MoeLayers.Select(m => m.BalanceLossWeight).Distinct().ToList();
        if (weights.Count > 1)
            yield return $"CaptionModel.Decoder: the Moe layers' BalanceLossWeight values differ ({string.Join(", ", weights.Select(w => w.ToString(System.Globalization.CultureInfo.InvariantCulture)))}); the loss weighs their mean balance value with one weight";
    }

    private static IEnumerable<string> Fits(string field, ILayer layer, Shape input, Shape expected, Shape? context = null)
    {
        string? problem;
        try
        {
            var output = context is null ? layer.OutputShape(input) : layer.OutputShape(input, context);
            problem = output == expected ? null : $"CaptionModel.{field} maps {input} to {output}, expected {expected}";
        }
        catch (ShapeException e)
        {
            problem = $"CaptionModel.{field} does not accept {input}: {e.Message}";
        }
        catch (ArgumentException e) // a sub-layer with invalid sizes (reported by its own checks as well)
        {
            problem = $"CaptionModel.{field} cannot be traced: {e.Message}";
        }
        if (problem is not null) yield return problem;
    }

    /// <inheritdoc/>
    public Shape Trace(ShapeTracer tracer, IReadOnlyList<Shape> inputs)
    {
        tracer.ExpectInputs(inputs, 2, 3);
        var (image, ids) = (inputs[0], inputs[1]);
        tracer.ExpectRank(ids, 2, "ids");
        if (ids[0] != image[0]) throw tracer.Error($"ids batch {ids[0]} differs from image batch {image[0]}");
        if (inputs.Count == 3 && inputs[2] != ids) throw tracer.Error($"pad mask {inputs[2]} must have the shape of the ids {ids}");
        var v = tracer.Call("vis_enc", Vision, image);                   // [b, N, d_v]
        var e = tracer.Call("proj", Proj, v);                            // [b, N, d]
        if (Encoder is not null) e = tracer.Call("encoder", Encoder, e); // [b, N, d]
        var x = tracer.Call("text_embs", TextEmbedding, ids);            // [b, T, d]
        var y = tracer.Call("decoder", Decoder, x, e, new Shape(ids[0], ids[1], ids[1]));
        return tracer.Call("gen_logits", GenLogits, y);                  // [b, T, V]
    }

    /// <summary>Parts of the description that have no forward (e.g. a <see cref="LayerList"/> inside <see cref="Proj"/>), each
    /// named by field; empty when the model can run. <see cref="Model.CaptionNet"/> refuses a description with any.</summary>
    public IEnumerable<string> NotRunnable()
    {
        foreach (var (field, seq) in new[] { ("Proj", Proj), ("GenLogits", GenLogits) })
            for (int i = 0; i < seq.Items.Count; i++)
                if (seq.Items[i] is not IModule)
                    yield return $"CaptionModel.{field} item {i} ({seq.Items[i].Kind}) has no forward on one input";
        for (int i = 0; i < Decoder.Blocks.Count; i++)
            if (Decoder.Blocks[i].FeedForward is not IModule)
                yield return $"CaptionModel.Decoder block {i}: feed-forward {Decoder.Blocks[i].FeedForward.Kind} has no forward";
    }

    /// <summary>Image tokens of the vision encoder (MSVE, or the pooled last stage without it): [b, N, d_v].</summary>
    public Tensor VisionFeatures(ParamView p, Tensor image, ForwardContext ctx) => Vision.Apply(p.At("vis_enc"), image, ctx);

    /// <summary>The projection <c>proj</c> (official: RMSNorm d_v, Linear d_v→d): [b, N, d_v] → [b, N, d].</summary>
    public Tensor Project(ParamView p, Tensor features, ForwardContext ctx) => Proj.Apply(p.At("proj"), features, ctx);

    /// <summary>Image tokens after the vision encoder and the projection: [b, N, d].</summary>
    public Tensor VisualTokens(ParamView p, Tensor image, ForwardContext ctx)
    {
        using var features = VisionFeatures(p, image, ctx);
        return Project(p, features, ctx);
    }

    /// <summary>The latent encoder over projected image tokens (identity without one): [b, N, d].</summary>
    public Tensor EncodeTokens(ParamView p, Tensor tokens, ForwardContext ctx) =>
        Encoder is null ? tokens.Alias() : Encoder.Apply(p.At("encoder"), tokens, ctx);

    /// <summary>Image → encoder memory [b, N, d].</summary>
    public Tensor EncodeImage(ParamView p, Tensor image, ForwardContext ctx)
    {
        using var tokens = VisualTokens(p, image, ctx);
        return EncodeTokens(p, tokens, ctx);
    }

    /// <summary>Decodes token ids [b, T] against encoder memory [b, N, d] with teacher forcing (causal mask and optional
    /// pad mask [b, T]): text embedding, <see cref="Decoder"/>, <c>gen_logits</c>. With a <paramref name="cache"/>,
    /// <paramref name="ids"/> holds only the next positions (see <see cref="Layers.Decoder.Apply"/>).</summary>
    public DecoderOutput Decode(ParamView p, Tensor ids, Tensor? memory, Tensor? padMask, ForwardContext ctx, DecoderCache? cache = null)
    {
        using var scope = Libtorch.NewScope();
        var x = TextEmbedding.Apply(p.At("text_embs"), ids, ctx, cache?.Length ?? 0);
        var (h, balance) = Decoder.Apply(p.At("decoder"), x, memory, padMask, ctx, cache);
        var logits = GenLogits.Apply(p.At("gen_logits"), h, ctx);
        return new DecoderOutput(logits.MoveToOuterScope(), balance.MoveToOuterScope());
    }

    /// <summary>The whole forward pass: image [b, 3, H, W], ids [b, T], optional pad mask [b, T] → logits and balance value.</summary>
    public DecoderOutput Apply(ParamView p, Tensor image, Tensor ids, Tensor? padMask, ForwardContext ctx)
    {
        using var memory = EncodeImage(p, image, ctx);
        return Decode(p, ids, memory, padMask, ctx);
    }
}

/// <summary>Logits and the decoder's balance value (mean over decoder layers).</summary>
/// <param name="Logits">[b, T, V].</param>
/// <param name="BalanceLoss">Scalar; 0 when the decoder has no MoE.</param>
public sealed record DecoderOutput(Tensor Logits, Tensor BalanceLoss);

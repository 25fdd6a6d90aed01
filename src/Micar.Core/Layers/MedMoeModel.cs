using Micar.Nn;
using Micar.Torch;
using System.Globalization;

namespace Micar.Layers;

/// <summary>How a <see cref="MedMoeModel"/> mixes its per-scale expert branches.</summary>
public enum MedMoeRouting
{
    /// <summary>Experts weighted per token by a <see cref="ConditionedRouter"/> that sees the image's modality (MedMoE).</summary>
    Conditioned,
    /// <summary>The same experts and router without the modality term (ablation).</summary>
    Unconditioned,
    /// <summary>One branch per scale, no router (the "no MoE" ablation).</summary>
    None,
}

/// <summary>
/// MedMoE (Chopra et al., arXiv 2506.08356) from Micar's blocks: a contrastive image–report model whose mixture of experts
/// is conditioned on the imaging modality and routes multiscale image features through expert branches.
/// <para>Image side: <c>vis_enc</c> (<see cref="Msve"/>: ResNet trunk + FPN) gives the pyramid levels P2…P5; each is
/// average-pooled to a <paramref name="ScaleGrid"/>² grid, so an image has R = 4·ScaleGrid² region tokens of width d_v.
/// <c>modality_head</c> (RMSNorm + Linear d_v→M on the mean fused MSVE token) predicts the modality. Expert e has one
/// projection branch per scale, <c>experts.e.s</c> = [RMSNorm(d_v), Linear d_v→Width]; the <c>router</c>
/// (<see cref="ConditionedRouter"/>) weights the experts per region token from the token and the modality distribution
/// (one-hot label in training, predicted probabilities at inference: no modality input is needed to run), and a region's
/// feature is Σₑ wₑ·branchₑ,ₛ(token). Local image embeddings: <c>local_proj</c> of the region features; the global one:
/// <c>image_proj</c> of their mean.</para>
/// <para>Text side: <c>text</c> (<see cref="TextEncoder"/>); <c>text_proj</c> of its pooled vector is the global report
/// embedding, <c>word_proj</c> of its token states the word embeddings. Every embedding is L2-normalised, width
/// <paramref name="EmbedDim"/>. Own tensor <c>logit_scale</c> [1] (zeros): the similarity scale is
/// <c>exp(ln(1/InitTemperature) + logit_scale)</c>, clamped at 100 as in CLIP.</para>
/// </summary>
/// <param name="Vision">The multiscale visual trunk (must be multiscale).</param>
/// <param name="ScaleGrid">Side of the grid each pyramid level is pooled to.</param>
/// <param name="Experts">Experts E (1 with <see cref="MedMoeRouting.None"/>).</param>
/// <param name="TopK">Experts kept per region token.</param>
/// <param name="Routing">Conditioned, unconditioned or no router.</param>
/// <param name="Modalities">Number of modalities M the head predicts (and the conditioned router reads).</param>
/// <param name="ModalityDim">Width of the router's modality embedding.</param>
/// <param name="Width">Width of the expert branches' output.</param>
/// <param name="Text">The report encoder.</param>
/// <param name="EmbedDim">Width of the shared image–text space.</param>
/// <param name="InitTemperature">Initial softmax temperature τ₀ of the contrastive logits (0.07 in CLIP).</param>
public sealed record MedMoeModel(
    Msve Vision, int ScaleGrid, int Experts, int TopK, MedMoeRouting Routing, int Modalities, int ModalityDim, int Width,
    TextEncoder Text, int EmbedDim, double InitTemperature = 0.07) : ILayer
{
    /// <summary>Pyramid levels used as scales: P2, P3, P4, P5.</summary>
    public const int Scales = 4;

    /// <summary>Largest similarity scale (CLIP clamps its logit scale at 100).</summary>
    public const double MaxLogitScale = 100;

    /// <inheritdoc/>
    public string Kind => "MedMoeModel";

    /// <summary>Region tokens per image: <see cref="Scales"/> · ScaleGrid².</summary>
    public int Regions => Scales * ScaleGrid * ScaleGrid;

    /// <summary>True when a router mixes several experts.</summary>
    public bool HasRouter => Routing != MedMoeRouting.None;

    /// <summary>One projection branch (expert e, scale s): RMSNorm(d_v) then Linear d_v→Width.</summary>
    public Sequential Branch => new(new RmsNorm(Vision.Width), new Linear(Vision.Width, Width, Bias: true, WeightInit.XavierUniform));

    /// <summary>The experts: <c>experts.e.s</c>.</summary>
    public LayerList ExpertList => new(Enumerable.Range(0, Math.Max(Experts, 0))
        .Select(_ => (ILayer)new LayerList(Enumerable.Repeat<ILayer>(Branch, Scales))));

    /// <summary>The router (null with <see cref="MedMoeRouting.None"/>).</summary>
    public ConditionedRouter? Router => HasRouter
        ? new ConditionedRouter(Vision.Width, Experts, TopK, Routing == MedMoeRouting.Conditioned ? Modalities : 0, ModalityDim)
        : null;

    /// <summary>The image→modality classifier, used for the routing at inference.</summary>
    public Sequential ModalityHead => new(new RmsNorm(Vision.Width), new Linear(Vision.Width, Math.Max(Modalities, 1), Bias: true, WeightInit.XavierUniform));

    /// <summary>Global image projection.</summary>
    public Linear ImageProj => new(Width, EmbedDim, Bias: false, WeightInit.XavierUniform);

    /// <summary>Region (local) projection.</summary>
    public Linear LocalProj => new(Width, EmbedDim, Bias: false, WeightInit.XavierUniform);

    /// <summary>Global report projection.</summary>
    public Linear TextProj => new(Text.DModel, EmbedDim, Bias: false, WeightInit.XavierUniform);

    /// <summary>Word projection.</summary>
    public Linear WordProj => new(Text.DModel, EmbedDim, Bias: false, WeightInit.XavierUniform);

    /// <inheritdoc/>
    public IReadOnlyList<ParamInfo> Tensors => [ParamInfo.Param("logit_scale", new Shape(1), new Initializer.Zeros())];

    /// <inheritdoc/>
    public IReadOnlyList<NamedLayer> Children
    {
        get
        {
            var c = new List<NamedLayer> { new("vis_enc", Vision), new("modality_head", ModalityHead), new("experts", ExpertList) };
            if (Router is { } r) c.Add(new("router", r));
            c.AddRange([new("image_proj", ImageProj), new("local_proj", LocalProj), new("text", Text), new("text_proj", TextProj), new("word_proj", WordProj)]);
            return c;
        }
    }

    /// <inheritdoc/>
    public IEnumerable<string> CheckFields()
    {
        if (Vision is null || Text is null) { yield return "MedMoeModel.Vision and MedMoeModel.Text are required"; yield break; }
        if (!Vision.MultiScale) yield return "MedMoeModel.Vision must be multiscale (its pyramid levels P2…P5 are the scales)";
        if (ScaleGrid <= 0) yield return $"MedMoeModel.ScaleGrid {ScaleGrid} must be positive";
        if (!Enum.IsDefined(Routing)) yield return $"MedMoeModel.Routing {(int)Routing} is not a known routing";
        if (Experts <= 0) yield return $"MedMoeModel.Experts {Experts} must be positive";
        if (Routing == MedMoeRouting.None && Experts != 1) yield return $"MedMoeModel.Experts {Experts} must be 1 without a router";
        if (HasRouter && (TopK <= 0 || TopK > Experts)) yield return $"MedMoeModel.TopK {TopK} must lie in [1, Experts {Experts}]";
        if (Modalities <= 0) yield return $"MedMoeModel.Modalities {Modalities} must be positive";
        if (Width <= 0) yield return $"MedMoeModel.Width {Width} must be positive";
        if (EmbedDim <= 0) yield return $"MedMoeModel.EmbedDim {EmbedDim} must be positive";
        if (!(InitTemperature > 1 / MaxLogitScale && InitTemperature <= 10))
            yield return $"MedMoeModel.InitTemperature {InitTemperature} must lie in ({1 / MaxLogitScale}, 10]";
    }

    static string Key(int e, int s) => $"experts.{e.ToString(CultureInfo.InvariantCulture)}.{s.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Inputs: image <c>[b, 3, H, W]</c> and report ids <c>[b, T]</c>; output: the image→report similarity
    /// logits <c>[b, b]</c> (the region/word similarities are counted in the FLOPs).</summary>
    public Shape Trace(ShapeTracer tracer, IReadOnlyList<Shape> inputs)
    {
        tracer.ExpectInputs(inputs, 2);
        var (image, ids) = (inputs[0], inputs[1]);
        tracer.ExpectRank(image, 4, "image");
        tracer.ExpectRank(ids, 2, "ids");
        if (ids[0] != image[0]) throw tracer.Error($"ids {ids} and image {image} differ in batch size");
        long b = image[0], t = ids[1];
        tracer.Call("vis_enc", Vision, image);
        tracer.Call("modality_head", ModalityHead, new Shape(b, Vision.Width));
        var perScale = new Shape(b, (long)ScaleGrid * ScaleGrid, Vision.Width);
        if (Router is { } r)
        {
            var tokens = new Shape(b, Regions, Vision.Width);
            if (r.Conditioned) tracer.Call("router", r, tokens, new Shape(b, Modalities));
            else tracer.Call("router", r, tokens);
        }
        for (var e = 0; e < Experts; e++)
            for (var s = 0; s < Scales; s++) tracer.Call(Key(e, s), Branch, perScale);
        tracer.Call("image_proj", ImageProj, new Shape(b, Width));
        tracer.Call("local_proj", LocalProj, new Shape(b, Regions, Width));
        tracer.Call("text", Text, ids);
        tracer.Call("text_proj", TextProj, new Shape(b, Text.DModel));
        tracer.Call("word_proj", WordProj, new Shape(b, t, Text.DModel));
        tracer.AddFlops(2L * b * b * EmbedDim + 2L * b * b * Regions * t * EmbedDim);
        return new Shape(b, b);
    }

    /// <summary>The similarity scale <c>exp(ln(1/τ₀) + logit_scale)</c>, at most <see cref="MaxLogitScale"/> (a scalar tensor).</summary>
    public Tensor LogitScale(ParamView p)
    {
        using var scope = Libtorch.NewScope();
        return p["logit_scale"].Add(Math.Log(1 / InitTemperature)).Clamp(null, Math.Log(MaxLogitScale)).Exp().Sum().MoveToOuterScope();
    }

    /// <summary>Encodes images [b, 3, H, W]. <paramref name="modality"/>: the modality labels [b] (int64, training), or null
    /// to route by the modality head's predicted probabilities (inference). The router sees the modality distribution only
    /// with <see cref="MedMoeRouting.Conditioned"/>; the head's logits are returned in every variant.</summary>
    public MedMoeImage EncodeImage(ParamView p, Tensor image, Tensor? modality, ForwardContext ctx)
    {
        using var scope = Libtorch.NewScope();
        var vp = p.At("vis_enc");
        var c = Vision.Trunk(vp, image, ctx);
        var (fusedTokens, maps) = Vision.Pyramid(vp, c, ctx, keepMaps: true);             // P2, P3, P4, P5, F
        var modalityLogits = ModalityHead.Apply(p.At("modality_head"), fusedTokens.Mean(1), ctx);   // [b, M]
        var q = modality is null
            ? modalityLogits.Softmax(-1)
            : F.OneHot(modality.Long(), Modalities).To(modalityLogits.DType);            // [b, M]
        var scaleTokens = new Tensor[Scales];
        for (int s = 0; s < Scales; s++) scaleTokens[s] = Msve.PoolTokens(maps![s], ScaleGrid);   // [b, G², d_v]
        var regions = Libtorch.Cat(scaleTokens, 1);                                     // [b, R, d_v]
        Tensor features, balance;
        Tensor? probs = null, weights = null;
        Tensor Branches(int e) => Libtorch.Cat(
            Enumerable.Range(0, Scales).Select(s => Branch.Apply(p.At(Key(e, s)), scaleTokens[s], ctx)).ToArray(), 1);   // [b, R, Width]
        if (Router is { } router)
        {
            Tensor scores, experts;
            (probs, scores, experts) = router.Route(p.At("router"), regions, q, ctx);
            weights = ConditionedRouter.DenseWeights(probs, scores, experts);             // [b, R, E]
            balance = Moe.BalanceLoss(probs.Reshape(-1, Experts));
            features = Branches(0).Mul(weights.Narrow(-1, 0, 1));                          // Σₑ wₑ·branchₑ [b, R, Width]
            for (int e = 1; e < Experts; e++)
                features = features.Add(Branches(e).Mul(weights.Narrow(-1, e, 1)));
        }
        else
        {
            features = Branches(0);
            balance = Libtorch.Zeros([], device: image.Device);
        }
        var global = Normalize(ImageProj.Apply(p.At("image_proj"), features.Mean(1), ctx));   // [b, e]
        var local = Normalize(LocalProj.Apply(p.At("local_proj"), features, ctx));          // [b, R, e]
        return new MedMoeImage(global.MoveToOuterScope(), local.MoveToOuterScope(), modalityLogits.MoveToOuterScope(),
            probs?.MoveToOuterScope(), weights?.MoveToOuterScope(), balance.MoveToOuterScope());
    }

    /// <summary>Encodes reports (ids [b, T], pad 0): the global report embedding, the word embeddings and the word mask.</summary>
    public MedMoeText EncodeText(ParamView p, Tensor ids, ForwardContext ctx)
    {
        using var scope = Libtorch.NewScope();
        var (tokens, pooled) = Text.Encode(p.At("text"), ids, ctx);
        var global = Normalize(TextProj.Apply(p.At("text_proj"), pooled, ctx));
        var words = Normalize(WordProj.Apply(p.At("word_proj"), tokens, ctx));
        var mask = ids.Ne(Data.SpecialTokens.PadId);
        return new MedMoeText(global.MoveToOuterScope(), words.MoveToOuterScope(), mask.MoveToOuterScope());
    }

    /// <summary>Rows scaled to unit L2 norm over the last axis (a zero row stays zero).</summary>
    public static Tensor Normalize(Tensor x)
    {
        using var scope = Libtorch.NewScope();
        return x.Div(x.Pow(2.0).Sum(-1, keepDim: true).Sqrt().Clamp(1e-12, null)).MoveToOuterScope();
    }
}

/// <summary>What <see cref="MedMoeModel.EncodeImage"/> returns.</summary>
/// <param name="Global">Global image embeddings [b, EmbedDim], unit norm.</param>
/// <param name="Local">Region embeddings [b, R, EmbedDim], unit norm (scale-major: P2's grid, then P3's, …).</param>
/// <param name="ModalityLogits">The modality head's logits [b, M].</param>
/// <param name="RoutingProbs">Router probabilities [b, R, E] (null without a router).</param>
/// <param name="ExpertWeights">Per-region expert weights after top-k [b, R, E], rows summing to 1 (null without a router).</param>
/// <param name="Balance">The balance value Σₑ p̄ₑ·ln p̄ₑ over all region tokens (0 without a router).</param>
public sealed record MedMoeImage(Tensor Global, Tensor Local, Tensor ModalityLogits, Tensor? RoutingProbs, Tensor? ExpertWeights, Tensor Balance) : IDisposable
{
    /// <summary>Releases the tensors.</summary>
    public void Dispose()
    {
        Global.Dispose(); Local.Dispose(); ModalityLogits.Dispose(); RoutingProbs?.Dispose(); ExpertWeights?.Dispose(); Balance.Dispose();
    }
}

/// <summary>What <see cref="MedMoeModel.EncodeText"/> returns.</summary>
/// <param name="Global">Report embeddings [b, EmbedDim], unit norm.</param>
/// <param name="Words">Word embeddings [b, T, EmbedDim], unit norm (pad rows included).</param>
/// <param name="Mask">True at non-pad positions [b, T].</param>
public sealed record MedMoeText(Tensor Global, Tensor Words, Tensor Mask) : IDisposable
{
    /// <summary>Releases the tensors.</summary>
    public void Dispose() { Global.Dispose(); Words.Dispose(); Mask.Dispose(); }
}

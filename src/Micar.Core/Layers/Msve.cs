using Micar.Nn;
using Micar.Torch;
using System.Globalization;

namespace Micar.Layers;

/// <summary>
/// The multiscale vision encoder (MSVE, §4.11, key prefix <c>vis_enc</c>): image <c>[b, 3, H, W]</c> →
/// tokens <c>[b, GridHeight·GridWidth, Width]</c> (token index = row·GridWidth + col).
/// <para>The <see cref="Backbone"/>'s children are regrouped as in the official code: <c>layer1</c> =
/// [conv1, bn1, relu, maxpool, layer1] → C2, <c>layer2</c> = [layer2] → C3, <c>layer3</c> = [layer3] → C4,
/// <c>layer4</c> = [layer4] → C5 (see <see cref="TorchvisionToOfficial"/> for the key map).</para>
/// <para>With <see cref="MultiScale"/>: laterals <c>fpn_c2</c> … <c>fpn_c5</c> = [1×1 conv Cₗ→Width with bias, BN, ReLU];
/// top-down <c>P5 = φ5(C5)</c>, <c>Pₗ = φₗ(Cₗ) + up(Pₗ₊₁)</c> (bilinear, align_corners = false, to Cₗ's size);
/// <c>fusion</c> = [3×3 conv Width→Width, padding 1, bias, BN, ReLU] applied to <c>P2 + up(P3) + up(P4) + up(P5)</c>
/// at C2's size; then <c>pool</c> (adaptive average) to the grid. Without it (the "w/o MSVE" ablation): C5 pooled
/// to the grid, and Width must equal the backbone's output channels.</para>
/// </summary>
/// <param name="Backbone">The ResNet trunk.</param>
/// <param name="Width">Output width d_v (the FPN width).</param>
/// <param name="GridHeight">Rows of the pooled grid.</param>
/// <param name="GridWidth">Columns of the pooled grid.</param>
/// <param name="MultiScale">True for the FPN + fusion path, false for plain pooled C5.</param>
public sealed record Msve(ResNet Backbone, int Width, int GridHeight = 7, int GridWidth = 7, bool MultiScale = true) : IModule
{
    /// <inheritdoc/>
    public string Kind => MultiScale ? "Msve" : "PooledBackbone";

    /// <summary>Number of image tokens N.</summary>
    public int Tokens => GridHeight * GridWidth;

    /// <summary>The regrouped trunk stage <paramref name="stage"/> (0 … 3), key <c>layer{stage+1}</c>.</summary>
    public Sequential TrunkStage(int stage) => stage == 0
        ? new Sequential(Backbone.Conv1, Backbone.Bn1, Backbone.Relu, Backbone.MaxPool, Backbone.Stage(0))
        : new Sequential(Backbone.Stage(stage));

    /// <summary>The lateral for level <paramref name="stage"/> + 2 (C2 … C5), key <c>fpn_c{stage+2}</c>.</summary>
    public Sequential Lateral(int stage) => new(
        new Conv2d(Backbone.StageChannels(stage), Width, 1, Bias: true), new BatchNorm2d(Width), new Act(Activation.Relu));

    /// <summary>The fused 3×3 conv + BN + ReLU, key <c>fusion</c>.</summary>
    public Sequential Fusion => new(new Conv2d(Width, Width, 3, 1, 1, Bias: true), new BatchNorm2d(Width), new Act(Activation.Relu));

    /// <summary>The adaptive pooling to the grid, key <c>pool</c>.</summary>
    public AdaptiveAvgPool2d Pool => new(GridHeight, GridWidth);

    /// <inheritdoc/>
    public IReadOnlyList<ParamInfo> Tensors => [];

    /// <inheritdoc/>
    public IReadOnlyList<NamedLayer> Children
    {
        get
        {
            var stages = Backbone.BlockCounts.Count;
            var c = Enumerable.Range(0, stages).Select(i => new NamedLayer(Key("layer", i + 1), TrunkStage(i))).ToList();
            if (MultiScale)
            {
                c.AddRange(Enumerable.Range(0, stages).Select(i => new NamedLayer(Key("fpn_c", i + 2), Lateral(i))));
                c.Add(new("fusion", Fusion));
            }
            c.Add(new("pool", Pool));
            return c;
        }
    }

    private static string Key(string stem, int i) => stem + i.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public IEnumerable<string> CheckFields()
    {
        if (Backbone is null) { yield return "Msve.Backbone is missing"; yield break; }
        foreach (var problem in Backbone.CheckFields()) yield return "Msve.Backbone: " + problem;
        if (Width <= 0) yield return $"Msve.Width {Width} must be positive";
        if (GridHeight <= 0) yield return $"Msve.GridHeight {GridHeight} must be positive";
        if (GridWidth <= 0) yield return $"Msve.GridWidth {GridWidth} must be positive";
        if (!MultiScale && ResNet.SupportedDepths.Contains(Backbone.Depth) && Width != Backbone.OutputChannels)
            yield return $"Msve.Width {Width} must equal the backbone's output channels {Backbone.OutputChannels} when MultiScale is false";
    }

    /// <inheritdoc/>
    public Shape Trace(ShapeTracer tracer, IReadOnlyList<Shape> inputs)
    {
        tracer.ExpectInputs(inputs, 1);
        var image = inputs[0];                                           // [b, 3, H, W]
        tracer.ExpectRank(image, 4, "image");
        tracer.ExpectDim(image, 1, 3, "image");
        var c = new Shape[4];
        var x = image;
        for (var i = 0; i < 4; i++) x = c[i] = tracer.Call(Key("layer", i + 1), TrunkStage(i), x);  // C2 … C5
        Shape map;
        if (MultiScale)
        {
            for (var i = 3; i >= 0; i--) tracer.Call(Key("fpn_c", i + 2), Lateral(i), c[i]);       // P5 … P2
            map = tracer.Call("fusion", Fusion, new Shape(image[0], Width, c[0][2], c[0][3]));     // at C2's size
        }
        else map = c[3];
        var pooled = tracer.Call("pool", Pool, map);                     // [b, Width, gh, gw]
        return new Shape(image[0], (long)GridHeight * GridWidth, pooled[1]);
    }

    /// <summary>
    /// Maps a torchvision ResNet state-dict key to the official (regrouped) key below <c>vis_enc.</c>:
    /// <c>conv1.*</c> → <c>layer1.0.*</c>, <c>bn1.*</c> → <c>layer1.1.*</c>, <c>layer1.i.*</c> → <c>layer1.4.i.*</c>,
    /// <c>layerN.i.*</c> → <c>layerN.0.i.*</c> (N = 2, 3, 4). Returns null for <c>fc.*</c>, which the model does not use.
    /// </summary>
    /// <exception cref="ArgumentException">The key is not a torchvision ResNet key.</exception>
    public static string? TorchvisionToOfficial(string key) =>
        key.StartsWith("fc.", StringComparison.Ordinal) ? null
        : ResNetNaming.Torchvision.Rename(key, ResNetNaming.Official)
          ?? throw new ArgumentException($"'{key}' is not a torchvision ResNet state-dict key", nameof(key));

    /// <summary>The inverse of <see cref="TorchvisionToOfficial"/> for trunk keys (below <c>vis_enc.</c>); null for MSVE-only keys (<c>fpn_c*</c>, <c>fusion.*</c>).</summary>
    public static string? OfficialToTorchvision(string key) => ResNetNaming.Official.Rename(key, ResNetNaming.Torchvision);

    /// <summary>Image tokens [b, GridHeight·GridWidth, Width] of <paramref name="image"/> [b, 3, H, W]: the trunk, then the
    /// pyramid (or, without <see cref="MultiScale"/>, the last stage pooled).</summary>
    public Tensor Apply(ParamView p, Tensor image, ForwardContext ctx)
    {
        // Training changes the weights the inference caches were made from: release them (they would be made anew).
        if (ctx.Training) p.Store.DropDerived(p.Prefix);
        using var scope = Libtorch.NewScope();
        var c = Trunk(p, image, ctx);
        var tokens = MultiScale ? Pyramid(p, c, ctx).Tokens : PoolTokens(c[3], GridHeight, GridWidth);
        return tokens.MoveToOuterScope();
    }

    /// <summary>The trunk's stage outputs C2…C5 under the official names (<c>layer1.0</c> stem conv, <c>layer1.1</c> its
    /// batch norm, <c>layer1.4</c>, <c>layer2.0</c>, … the stages).</summary>
    public Tensor[] Trunk(ParamView p, Tensor image, ForwardContext ctx) => Backbone.Stages(p, image, ResNetNaming.Official, ctx);

    /// <summary>Pyramid of a trunk output as this description says (grid, batch norms): returns the pooled
    /// tokens [b, GridHeight·GridWidth, d_v] and the maps P2…P5 and F (when <paramref name="keepMaps"/>, for
    /// interpretability).</summary>
    public (Tensor Tokens, Tensor[]? Maps) Pyramid(ParamView p, Tensor[] c, ForwardContext ctx, bool keepMaps = false)
    {
        using var scope = Libtorch.NewScope();
        // Each step in its own scope: tensors autograd does not keep (batch-norm outputs, partial sums, upsampled maps)
        // are freed as soon as they are used, as Python frees them, instead of living until the encoder returns (at
        // batch 16 and 224 px each full-resolution map is 411 MB). ReLU runs in place on batch-norm outputs (their
        // backward keeps the input, not the output), as nn.ReLU(inplace=True) would.
        Tensor LateralMap(int level)
        {
            using var s = Libtorch.NewScope();
            var lateral = this.Lateral(level - 2).Items;
            var conv = ((Conv2d)lateral[0]).Apply(p.At($"fpn_c{level}.0"), c[level - 2], ctx);
            return ((BatchNorm2d)lateral[1]).Apply(p.At($"fpn_c{level}.1"), conv, ctx).Relu_().MoveToOuterScope();
        }
        static Tensor Up(Tensor x, Tensor like) =>
            F.Interpolate(x, like.Size(2), like.Size(3), InterpolationMode.Bilinear, alignCorners: false);
        Tensor Level(int level, Tensor coarse)                                   // lateral(C_level) + up(coarser level)
        {
            using var s = Libtorch.NewScope();
            return LateralMap(level).Add(Up(coarse, c[level - 2])).MoveToOuterScope();
        }
        var p5 = LateralMap(5);
        var p4 = Level(4, p5);
        var p3 = Level(3, p4);
        bool keepP2 = keepMaps || ctx.Trace is not null;
        Tensor? p2 = null;
        Tensor fused;
        using (var s = Libtorch.NewScope())
        {
            var sum = Level(2, p3);                                             // P2 = lateral(C2) + up(P3, C2)
            if (keepP2) p2 = sum.Clone().MoveToOuterScope();
            using (var up3 = Up(p3, c[0])) sum.Add_(up3);                       // up(P3, P2): same size as up(P3, C2)
            using (var up4 = Up(p4, c[0])) sum.Add_(up4);
            using (var up5 = Up(p5, c[0])) sum.Add_(up5);
            var algorithm = ctx.FusionConv ?? FusionConvAlgorithm(sum);
            if (algorithm != ConvAlgorithm.Direct && !ctx.Training && !Autograd.IsGradEnabled)
                fused = FusionForInference(p.At("fusion"), sum, algorithm).MoveToOuterScope();
            else
            {
                var conv = F.Conv2dWinograd(sum, p["fusion.0.weight"], p["fusion.0.bias"], algorithm);
                fused = ((BatchNorm2d)Fusion.Items[1]).Apply(p.At("fusion.1"), conv, ctx).Relu_().MoveToOuterScope();
            }
        }
        var tokens = PoolTokens(fused, GridHeight, GridWidth);
        if (ctx.Trace is { } trace)
            foreach (var (name, map) in new[] { ("P2", p2!), ("P3", p3), ("P4", p4), ("P5", p5), ("F", fused) })
                trace.Record(p.Prefix, "pyramid." + name, map.Mean(1));
        Tensor[]? maps = keepMaps ? [p2!.MoveToOuterScope(), p3.MoveToOuterScope(), p4.MoveToOuterScope(), p5.MoveToOuterScope(), fused.MoveToOuterScope()] : null;
        return (tokens.MoveToOuterScope(), maps);
    }

    /// <summary>The fusion block (3×3 conv with bias, batch norm, ReLU) in evaluation mode without gradients, by Winograd with
    /// the transformed weights kept in the store (<see cref="ParamStore.Derived"/>: made again whenever the weights change)
    /// and the bias and batch norm applied as one per-channel map <c>y·scale + shift</c> with the ReLU as the output is
    /// written (<see cref="F.Conv2dWinogradTransformed"/>): the same values as the layer-by-layer path up to float rounding.</summary>
    Tensor FusionForInference(ParamView f, Tensor x, ConvAlgorithm algorithm)
    {
        var weight = f["0.weight"];
        var u = f.Store.Derived($"{f.Key("0.weight")}:winograd-{algorithm}", [weight], () => F.WinogradWeight(weight, algorithm));
        using var scope = Libtorch.NewScope();
        var bn = (BatchNorm2d)Fusion.Items[1];
        var scale = f["1.weight"].Mul(f["1.running_var"].Add(bn.Eps).Rsqrt());                   // γ/√(var + ε)
        var shift = f["1.bias"].Add(f["0.bias"].Sub(f["1.running_mean"]).Mul(scale));           // β + (b − mean)·scale
        return F.Conv2dWinogradTransformed(x, u, algorithm, scale, shift, relu: true).MoveToOuterScope();
    }

    /// <summary>The automatic choice for the fusion conv (see <see cref="ForwardContext.FusionConv"/>): Winograd F(4×4, 3×3)
    /// where it measured faster on CPU (maps of at least 512 channels and 1,568 output pixels; the timings are in the
    /// README's benchmark section), the direct convolution elsewhere.</summary>
    public static ConvAlgorithm FusionConvAlgorithm(Tensor input) =>
        input.Device.Type == DeviceType.Cpu && input.Size(1) >= 512 && input.Size(0) * input.Size(2) * input.Size(3) >= 1568
            ? ConvAlgorithm.Winograd4 : ConvAlgorithm.Direct;

    /// <summary>Square grid: <see cref="PoolTokens(Tensor, int, int)"/> with <paramref name="grid"/>×<paramref name="grid"/>.</summary>
    public static Tensor PoolTokens(Tensor map, int grid) => PoolTokens(map, grid, grid);

    /// <summary>Adaptive average pooling to <paramref name="gridHeight"/>×<paramref name="gridWidth"/>, then
    /// <c>b c h w → b (h w) c</c> (token index = row·gridWidth + col).</summary>
    public static Tensor PoolTokens(Tensor map, int gridHeight, int gridWidth)
    {
        using var pooled = F.AdaptiveAvgPool2d(map, gridHeight, gridWidth);
        using var flat = pooled.Flatten(2);
        return flat.Transpose(1, 2);
    }
}

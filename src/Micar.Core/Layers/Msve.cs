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
public sealed record Msve(ResNet Backbone, int Width, int GridHeight = 7, int GridWidth = 7, bool MultiScale = true) : ILayer
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
    public static string? TorchvisionToOfficial(string key)
    {
        if (key.StartsWith("fc.", StringComparison.Ordinal)) return null;
        if (key.StartsWith("conv1.", StringComparison.Ordinal)) return "layer1.0." + key["conv1.".Length..];
        if (key.StartsWith("bn1.", StringComparison.Ordinal)) return "layer1.1." + key["bn1.".Length..];
        for (var n = 1; n <= 4; n++)
        {
            var stem = Key("layer", n) + ".";
            if (key.StartsWith(stem, StringComparison.Ordinal))
                return stem + (n == 1 ? "4." : "0.") + key[stem.Length..];
        }
        throw new ArgumentException($"'{key}' is not a torchvision ResNet state-dict key", nameof(key));
    }

    /// <summary>The inverse of <see cref="TorchvisionToOfficial"/> for trunk keys (below <c>vis_enc.</c>); null for MSVE-only keys (<c>fpn_c*</c>, <c>fusion.*</c>).</summary>
    public static string? OfficialToTorchvision(string key)
    {
        if (key.StartsWith("layer1.0.", StringComparison.Ordinal)) return "conv1." + key["layer1.0.".Length..];
        if (key.StartsWith("layer1.1.", StringComparison.Ordinal)) return "bn1." + key["layer1.1.".Length..];
        if (key.StartsWith("layer1.4.", StringComparison.Ordinal)) return "layer1." + key["layer1.4.".Length..];
        for (var n = 2; n <= 4; n++)
        {
            var stem = Key("layer", n) + ".0.";
            if (key.StartsWith(stem, StringComparison.Ordinal)) return Key("layer", n) + "." + key[stem.Length..];
        }
        return null;
    }
}

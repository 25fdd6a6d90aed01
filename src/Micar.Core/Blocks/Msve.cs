using Micar.Model;
using Micar.Torch;
using Micar.Nn;

namespace Micar.Blocks;


using L = Micar.Layers;

/// <summary>
/// The multiscale vision encoder (MSVE) of the official code: lateral maps φ_l = ReLU(BN(Conv1×1(C_l))) (conv with
/// bias), top-down P5 = φ5, P_l = φ_l + up(P_{l+1}); F = ReLU(BN(Conv3×3(P2 + up(P3) + up(P4) + up(P5)))); adaptive
/// average pooling to a GridHeight×GridWidth grid; tokens in raster order (index = row·GridWidth + col). "up" is bilinear, align_corners=False,
/// to an explicit size.
/// </summary>
public static class Msve
{
    /// <summary>Pyramid of a trunk output as <paramref name="vision"/> describes it (grid, batch norms): returns the pooled
    /// tokens [b, GridHeight·GridWidth, d_v] and the maps P2…P5 and F (when <paramref name="keepMaps"/>, for
    /// interpretability).</summary>
    public static (Tensor Tokens, Tensor[]? Maps) Forward(ParamView p, Tensor[] c, L.Msve vision, ForwardContext ctx,
        bool keepMaps = false, string path = "vis_enc")
    {
        using var scope = Libtorch.NewScope();
        // Each step in its own scope: tensors autograd does not keep (batch-norm outputs, partial sums, upsampled maps)
        // are freed as soon as they are used, as Python frees them, instead of living until the encoder returns (at
        // batch 16 and 224 px each full-resolution map is 411 MB). ReLU runs in place on batch-norm outputs (their
        // backward keeps the input, not the output), as nn.ReLU(inplace=True) would.
        Tensor Lateral(int level)
        {
            using var s = Libtorch.NewScope();
            return BatchNorm.Forward(p.At($"fpn_c{level}.1"), F.Conv2d(c[level - 2], p[$"fpn_c{level}.0.weight"], p[$"fpn_c{level}.0.bias"]), ctx,
                    (L.BatchNorm2d)vision.Lateral(level - 2).Items[1])
                .Relu_().MoveToOuterScope();
        }
        static Tensor Up(Tensor x, Tensor like) =>
            F.Interpolate(x, like.Size(2), like.Size(3), InterpolationMode.Bilinear, alignCorners: false);
        Tensor Level(int level, Tensor coarse)                                   // lateral(C_level) + up(coarser level)
        {
            using var s = Libtorch.NewScope();
            return Lateral(level).Add(Up(coarse, c[level - 2])).MoveToOuterScope();
        }
        var p5 = Lateral(5);
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
            var conv = F.Conv2dWinograd(sum, p["fusion.0.weight"], p["fusion.0.bias"], ctx.FusionConv ?? FusionConvAlgorithm(sum));
            fused = BatchNorm.Forward(p.At("fusion.1"), conv, ctx, (L.BatchNorm2d)vision.Fusion.Items[1]).Relu_().MoveToOuterScope();
        }
        var tokens = Pool(fused, vision.GridHeight, vision.GridWidth);
        if (ctx.Trace is { } trace)
            foreach (var (name, map) in new[] { ("P2", p2!), ("P3", p3), ("P4", p4), ("P5", p5), ("F", fused) })
                trace.Record(path, "pyramid." + name, map.Mean(1));
        Tensor[]? maps = keepMaps ? [p2!.MoveToOuterScope(), p3.MoveToOuterScope(), p4.MoveToOuterScope(), p5.MoveToOuterScope(), fused.MoveToOuterScope()] : null;
        return (tokens.MoveToOuterScope(), maps);
    }

    /// <summary>The automatic choice for the fusion conv (see <see cref="ForwardContext.FusionConv"/>): Winograd F(4×4, 3×3)
    /// where it measured faster on CPU (bench: 2048 channels at 56×56, batch 2, forward + backward 3.8 s instead of
    /// 7.4 s; 512 channels at 24×24, batch 16, 0.44 s instead of 0.61 s), the direct convolution elsewhere.</summary>
    public static ConvAlgorithm FusionConvAlgorithm(Tensor input) =>
        input.Device.Type == DeviceType.Cpu && input.Size(1) >= 512 && input.Size(0) * input.Size(2) * input.Size(3) >= 1568
            ? ConvAlgorithm.Winograd4 : ConvAlgorithm.Direct;

    /// <summary>Square grid: <see cref="Pool(Tensor, int, int)"/> with <paramref name="grid"/>×<paramref name="grid"/>.</summary>
    public static Tensor Pool(Tensor map, int grid) => Pool(map, grid, grid);

    /// <summary>Adaptive average pooling to <paramref name="gridHeight"/>×<paramref name="gridWidth"/>, then
    /// <c>b c h w → b (h w) c</c> (token index = row·gridWidth + col).</summary>
    public static Tensor Pool(Tensor map, int gridHeight, int gridWidth)
    {
        using var pooled = F.AdaptiveAvgPool2d(map, gridHeight, gridWidth);
        using var flat = pooled.Flatten(2);
        return flat.Transpose(1, 2);
    }
}

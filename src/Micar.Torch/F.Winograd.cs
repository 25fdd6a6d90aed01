namespace Micar.Torch;

/// <summary>How a 3×3, stride-1, padding-1 convolution is computed.</summary>
public enum ConvAlgorithm
{
    /// <summary>libtorch's convolution (oneDNN on CPU, cuDNN on CUDA): the reference result.</summary>
    Direct,
    /// <summary>Winograd F(2×2, 3×3): 16 products per 4 outputs instead of 36; float32 error like the direct conv.</summary>
    Winograd2,
    /// <summary>Winograd F(4×4, 3×3): 36 products per 16 outputs instead of 144; relative error ≈ 1e-5 in float32.</summary>
    Winograd4,
}

public static partial class F
{
    static readonly Op WinogradOp = new("micar::conv2d_winograd");

    /// <summary>Default of <see cref="Conv2dWinograd"/>'s <c>chunkBytes</c>: 64 MiB.</summary>
    public const long DefaultWinogradChunkBytes = 64L << 20;

    /// <summary>
    /// 3×3 convolution with stride 1 and padding 1 (<c>[b, c, h, w]</c> input, <c>[k, c, 3, 3]</c> weights, groups 1) by
    /// the Winograd minimal-filtering algorithm: the products of a direct convolution become α² = (m+2)² batched matrix
    /// products of <c>[k, c] × [c, tiles]</c>, which is 2.25× (m = 2) or 4× (m = 4) fewer multiplications. Runs as the
    /// native operator <c>micar::conv2d_winograd</c> (ATen ops and its own autograd function): only the input and the
    /// weights are kept for the backward pass, and the transformed weights and their gradient (4× the weights for m = 4)
    /// are made <paramref name="chunkBytes"/> at a time. Pays off on CPU when channels are many and maps large (the MSVE
    /// fusion conv: 2048 channels at 56×56).
    /// </summary>
    /// <param name="input">[b, c, h, w].</param>
    /// <param name="weight">[k, c, 3, 3].</param>
    /// <param name="bias">[k] or null.</param>
    /// <param name="algorithm">Tile size; <see cref="ConvAlgorithm.Direct"/> calls <see cref="Conv2d"/>.</param>
    /// <param name="chunkBytes">Bytes of transformed weights (or of their gradient) made at a time: smaller saves
    /// memory, larger makes fewer, bigger matrix products.</param>
    public static Tensor Conv2dWinograd(Tensor input, Tensor weight, Tensor? bias = null, ConvAlgorithm algorithm = ConvAlgorithm.Winograd4,
        long chunkBytes = DefaultWinogradChunkBytes)
    {
        if (algorithm == ConvAlgorithm.Direct) return Conv2d(input, weight, bias, padding: 1);
        var (xs, ws) = (input.Shape, weight.Shape);
        if (xs.Length != 4 || ws.Length != 4 || ws[2] != 3 || ws[3] != 3 || ws[1] != xs[1])
            throw new ArgumentException(
                $"Conv2dWinograd needs input [b, c, h, w] and weight [k, c, 3, 3]; got input [{string.Join(", ", xs)}] and weight [{string.Join(", ", ws)}]");
        if (!Enum.IsDefined(algorithm)) throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "not a known ConvAlgorithm");
        if (chunkBytes <= 0) throw new ArgumentOutOfRangeException(nameof(chunkBytes), chunkBytes, "must be positive");
        var y = WinogradOp.Call(input, weight, algorithm == ConvAlgorithm.Winograd2 ? 2L : 4L, chunkBytes);
        if (bias is null) return y;
        using var scope = Libtorch.NewScope();
        return y.Add(bias.View(1, ws[0], 1, 1)).MoveToOuterScope();
    }
}

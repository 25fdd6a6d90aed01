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
    static readonly Op WinogradWeightOp = new("micar::winograd_weight");
    static readonly Op WinogradTransformedOp = new("micar::conv2d_winograd_transformed");

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
        var y = WinogradOp.Call(input, weight, Tile(algorithm), chunkBytes);
        if (bias is null) return y;
        using var scope = Libtorch.NewScope();
        return y.Add(bias.View(1, ws[0], 1, 1)).MoveToOuterScope();
    }

    static long Tile(ConvAlgorithm algorithm) => algorithm switch
    {
        ConvAlgorithm.Winograd2 => 2,
        ConvAlgorithm.Winograd4 => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "a Winograd algorithm (Winograd2 or Winograd4) is needed"),
    };

    /// <summary>The Winograd transform <c>G g Gᵀ</c> of every kernel of <paramref name="weight"/> [k, c, 3, 3]: [α², k, c]
    /// (α = m + 2; 4× the weights for <see cref="ConvAlgorithm.Winograd4"/>), for
    /// <see cref="Conv2dWinogradTransformed"/>. Inference only (no gradient; refused in gradient mode for weights that
    /// require one): keep it while the weights do not change.</summary>
    public static Tensor WinogradWeight(Tensor weight, ConvAlgorithm algorithm = ConvAlgorithm.Winograd4) =>
        WinogradWeightOp.Call(weight, Tile(algorithm));

    /// <summary>
    /// Inference form of <see cref="Conv2dWinograd"/> with the weights transformed beforehand (<see cref="WinogradWeight"/>)
    /// and a per-channel affine map and ReLU applied as each slice of output channels is written:
    /// <c>y = conv(input)·scale + shift</c>, then <c>max(y, 0)</c> when <paramref name="relu"/>, which is a convolution
    /// with bias followed by an evaluation-mode batch norm with <c>scale = γ/√(var + ε)</c> and
    /// <c>shift = β + (bias − mean)·scale</c>. No autograd.
    /// </summary>
    /// <param name="input">[b, c, h, w].</param>
    /// <param name="transformedWeight">[α², k, c] from <see cref="WinogradWeight"/> with the same <paramref name="algorithm"/>.</param>
    /// <param name="algorithm">Winograd2 or Winograd4.</param>
    /// <param name="scale">[k] or null (1).</param>
    /// <param name="shift">[k] or null (0).</param>
    /// <param name="relu">Whether to apply ReLU last.</param>
    public static Tensor Conv2dWinogradTransformed(Tensor input, Tensor transformedWeight, ConvAlgorithm algorithm = ConvAlgorithm.Winograd4,
        Tensor? scale = null, Tensor? shift = null, bool relu = false) =>
        WinogradTransformedOp.Call(input, transformedWeight, Tile(algorithm), scale, shift, relu);
}

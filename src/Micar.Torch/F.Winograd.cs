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
    // Lavin & Gray's transforms: Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A for one α×α input tile d (α = m + 2) and a 3×3 kernel g.
    static readonly double[,] BT2 = { { 1, 0, -1, 0 }, { 0, 1, 1, 0 }, { 0, -1, 1, 0 }, { 0, 1, 0, -1 } };
    static readonly double[,] G2 = { { 1, 0, 0 }, { .5, .5, .5 }, { .5, -.5, .5 }, { 0, 0, 1 } };
    static readonly double[,] AT2 = { { 1, 1, 1, 0 }, { 0, 1, -1, -1 } };
    static readonly double[,] BT4 =
    {
        { 4, 0, -5, 0, 1, 0 }, { 0, -4, -4, 1, 1, 0 }, { 0, 4, -4, -1, 1, 0 },
        { 0, -2, -1, 2, 1, 0 }, { 0, 2, -1, -2, 1, 0 }, { 0, 4, 0, -5, 0, 1 },
    };
    static readonly double[,] G4 =
    {
        { 1 / 4.0, 0, 0 }, { -1 / 6.0, -1 / 6.0, -1 / 6.0 }, { -1 / 6.0, 1 / 6.0, -1 / 6.0 },
        { 1 / 24.0, 1 / 12.0, 1 / 6.0 }, { 1 / 24.0, -1 / 12.0, 1 / 6.0 }, { 0, 0, 1 },
    };
    static readonly double[,] AT4 = { { 1, 1, 1, 1, 1, 0 }, { 0, 1, -1, 2, -2, 0 }, { 0, 1, 1, 4, 4, 0 }, { 0, 1, -1, 8, -8, 1 } };

    /// <summary>
    /// 3×3 convolution with stride 1 and padding 1 (<c>[b, c, h, w]</c> input, <c>[k, c, 3, 3]</c> weights, groups 1) by
    /// the Winograd minimal-filtering algorithm: the products of a direct convolution become α² = (m+2)² batched matrix
    /// products of <c>[k, c] × [c, tiles]</c>, which is 2.25× (m = 2) or 4× (m = 4) fewer multiplications. It is built
    /// from differentiable ops, so autograd gives the gradients of input, weights and bias. Pays off on CPU when
    /// channels are many and maps large (the MSVE fusion conv: 2048 channels at 56×56); it keeps ≈ (α/m)² copies of the
    /// input and (α/3)² of the weights alive for the backward pass.
    /// </summary>
    public static Tensor Conv2dWinograd(Tensor input, Tensor weight, Tensor? bias = null, ConvAlgorithm algorithm = ConvAlgorithm.Winograd4)
    {
        if (algorithm == ConvAlgorithm.Direct) return Conv2d(input, weight, bias, padding: 1);
        var (xs, ws) = (input.Shape, weight.Shape);
        if (xs.Length != 4 || ws.Length != 4 || ws[2] != 3 || ws[3] != 3 || ws[1] != xs[1])
            throw new ArgumentException(
                $"Conv2dWinograd needs input [b, c, h, w] and weight [k, c, 3, 3]; got input [{string.Join(", ", xs)}] and weight [{string.Join(", ", ws)}]");
        int m = algorithm == ConvAlgorithm.Winograd2 ? 2 : 4, a = m + 2;
        var (bt, g, at) = m == 2 ? (BT2, G2, AT2) : (BT4, G4, AT4);
        long b = xs[0], c = xs[1], h = xs[2], w = xs[3], k = ws[0];
        long nh = (h + m - 1) / m, nw = (w + m - 1) / m, tiles = b * nh * nw;

        using var scope = Torch.NewScope();
        var dtype = input.DType;
        var device = input.Device;
        Tensor Kron(double[,] left, double[,] right)
        {
            // vec(L X Rᵀ) = (L ⊗ R) vec(X) for row-major vec: the 2-d transform of every tile is one matrix product.
            int r0 = left.GetLength(0), c0 = left.GetLength(1), r1 = right.GetLength(0), c1 = right.GetLength(1);
            var values = new double[r0 * r1 * c0 * c1];
            for (int i = 0; i < r0; i++)
            for (int j = 0; j < r1; j++)
            for (int p = 0; p < c0; p++)
            for (int q = 0; q < c1; q++)
                values[(i * r1 + j) * c0 * c1 + p * c1 + q] = left[i, p] * right[j, q];
            return Tensor.From<double>(values, r0 * r1, c0 * c1).To(dtype, device);
        }

        var padded = Ops.ConstantPadNd.Call(input, new[] { 1L, nw * m + 1 - w, 1L, nh * m + 1 - h }, 0.0);
        var patches = Ops.Unfold.Call(Ops.Unfold.Call(padded, 2L, (long)a, (long)m), 3L, (long)a, (long)m);  // b c nh nw α α
        var d = patches.Permute(4, 5, 1, 0, 2, 3).Reshape(a * a, c * tiles);
        var v = Kron(bt, bt).Mm(d).View(a * a, c, tiles);                                    // Bᵀ d B per tile
        var u = Kron(g, g).Mm(weight.Reshape(k * c, 9).Transpose(0, 1)).View(a * a, k, c);     // G g Gᵀ per kernel
        var prod = u.Bmm(v);                                                                  // α² × [k, tiles]
        var y = Kron(at, at).Mm(prod.View(a * a, k * tiles))                                  // Aᵀ M A per tile
            .View(m, m, k, b, nh, nw).Permute(3, 2, 4, 0, 5, 1).Reshape(b, k, nh * m, nw * m);
        if (nh * m != h || nw * m != w) y = y.Narrow(2, 0, h).Narrow(3, 0, w);
        if (bias is not null) y = y.Add(bias.View(1, k, 1, 1));
        return y.MoveToOuterScope();
    }
}

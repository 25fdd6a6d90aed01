using Micar.Nn;
using Micar.Torch;

namespace Micar.Layers;

/// <summary>
/// Multi-head latent attention (MDLA, §4.5–4.7), the fields shared by <see cref="MdlaSelfAttention"/> and
/// <see cref="MdlaCrossAttention"/>. Inputs are projected down to <see cref="DownDim"/> = DModel/Heads per
/// stream (q, k, v), RMS-normalised jointly, projected up to LatentDim per stream, split into Heads heads of
/// <see cref="HeadDim"/> features (head index fastest: head h takes features h, h+H, …), each split into a
/// position-free part (QkNopeDim) and a rotary part (QkRopeDim, see <see cref="Rope"/>). Scores are
/// <c>(q_nope·k_nopeᵀ + q_rope'·k_rope'ᵀ)·ScaleFactor</c>; softmax; attention dropout; heads concatenated
/// (head index slowest); <c>wo</c> LatentDim → DModel. All Linears are bias-free.
/// Constraints: DModel and LatentDim divisible by Heads, LatentDim/Heads = QkNopeDim + QkRopeDim.
/// </summary>
/// <param name="DModel">Model width d.</param>
/// <param name="Heads">Number of heads H.</param>
/// <param name="LatentDim">Expanded attention width L (d_latent).</param>
/// <param name="QkNopeDim">Position-free features per head.</param>
/// <param name="QkRopeDim">Rotary features per head.</param>
/// <param name="AttentionDropout">Dropout on the attention probabilities.</param>
/// <param name="Scale">Score scaling: per-head width (official) or latent width (paper).</param>
/// <param name="Init">Initializer of the Linear weights.</param>
public abstract record Mdla(
    int DModel, int Heads, int LatentDim, int QkNopeDim, int QkRopeDim, double AttentionDropout,
    AttentionScale Scale, WeightInit Init) : ILayer
{
    /// <summary>Value that replaces (not adds to) the scaled scores where the mask is 0.</summary>
    public const double MaskFill = -1e9;

    /// <summary>RoPE base (10000 in the official model).</summary>
    public double RopeTheta { get; init; } = 10000;

    /// <summary>Per-stream down-projection width dk = DModel / Heads.</summary>
    public int DownDim => Heads > 0 ? DModel / Heads : 0;

    /// <summary>Per-head width LatentDim / Heads (equals QkNopeDim + QkRopeDim).</summary>
    public int HeadDim => Heads > 0 ? LatentDim / Heads : 0;

    /// <summary>The factor multiplying the scores: 1/√(QkNopeDim + QkRopeDim) or 1/√LatentDim.</summary>
    public double ScaleFactor => Scale == AttentionScale.Latent
        ? 1.0 / Math.Sqrt(LatentDim)
        : 1.0 / Math.Sqrt(QkNopeDim + QkRopeDim);

    /// <summary>The rotary embedding of this module.</summary>
    public Rope Rope => new(QkRopeDim, RopeTheta);

    /// <summary>The output projection LatentDim → DModel.</summary>
    public Linear Wo => new(LatentDim, DModel, Bias: false, Init);

    /// <summary>A down–norm–up projection path: Linear(DModel→down), RmsNorm(down), Linear(down→up).</summary>
    protected Sequential DownNormUp(int down, int up) =>
        new(new Linear(DModel, down, Bias: false, Init), new RmsNorm(down), new Linear(down, up, Bias: false, Init));

    /// <inheritdoc/>
    public abstract string Kind { get; }

    /// <inheritdoc/>
    public IReadOnlyList<ParamInfo> Tensors => [];

    /// <inheritdoc/>
    public abstract IReadOnlyList<NamedLayer> Children { get; }

    /// <inheritdoc/>
    public IEnumerable<string> CheckFields()
    {
        if (DModel <= 0) yield return $"Mdla.DModel {DModel} must be positive";
        if (Heads <= 0) { yield return $"Mdla.Heads {Heads} must be positive"; yield break; }
        if (LatentDim <= 0) yield return $"Mdla.LatentDim {LatentDim} must be positive";
        if (QkNopeDim < 0) yield return $"Mdla.QkNopeDim {QkNopeDim} must not be negative";
        if (QkRopeDim < 0) yield return $"Mdla.QkRopeDim {QkRopeDim} must not be negative";
        if (DModel % Heads != 0) yield return $"Mdla.DModel {DModel} is not divisible by Heads {Heads}";
        if (LatentDim % Heads != 0) yield return $"Mdla.LatentDim {LatentDim} is not divisible by Heads {Heads}";
        else if (LatentDim / Heads != QkNopeDim + QkRopeDim)
            yield return $"Mdla.LatentDim/Heads = {LatentDim}/{Heads} = {LatentDim / Heads} must equal " +
                         $"QkNopeDim + QkRopeDim = {QkNopeDim} + {QkRopeDim} = {QkNopeDim + QkRopeDim}";
        if (!(AttentionDropout is >= 0 and < 1)) yield return $"Mdla.AttentionDropout {AttentionDropout} must lie in [0, 1)";
    }

    /// <inheritdoc/>
    public abstract Shape Trace(ShapeTracer tracer, IReadOnlyList<Shape> inputs);

    /// <summary>
    /// Traces the head-wise part shared by both kinds: RoPE on queries and keys, the two score matmuls
    /// (nope and rope) and the probability–value matmul.
    /// </summary>
    protected void TraceHeads(ShapeTracer tracer, long batch, long queries, long keys)
    {
        tracer.Call("rope", Rope, new Shape(batch, Heads, queries, QkRopeDim));
        tracer.Call("rope", Rope, new Shape(batch, Heads, keys, QkRopeDim));
        tracer.AddFlops(2L * batch * Heads * queries * keys * (QkNopeDim + QkRopeDim)); // scores
        tracer.AddFlops(2L * batch * Heads * queries * keys * HeadDim);                // probabilities · values
    }

    /// <summary>What the scores are divided by: √(QkNopeDim + QkRopeDim) (official) or √LatentDim (paper), i.e.
    /// 1 / <see cref="ScaleFactor"/>, computed as the official code does.</summary>
    public double ScaleDenominator => Scale == AttentionScale.Latent ? Math.Sqrt(LatentDim) : Math.Sqrt(QkNopeDim + QkRopeDim);

    /// <summary><c>b s (d h) → b h s d</c>: head h takes features h, h+H, h+2H, …</summary>
    public static Tensor SplitHeads(Tensor t, int heads)
    {
        var s = t.Shape;
        using var v = t.View(s[0], s[1], s[2] / heads, heads);
        return v.Permute(0, 3, 1, 2);
    }

    /// <summary><c>b h s d → b s (h d)</c>: plain concatenation of heads.</summary>
    public static Tensor MergeHeads(Tensor o)
    {
        var s = o.Shape;
        using var p = o.Permute(0, 2, 1, 3);
        return p.Reshape(s[0], s[2], s[1] * s[3]);
    }

    /// <summary>Splits heads [b, H, S, nope + rope] into the no-position part and the rotated rope part (positions
    /// <paramref name="offset"/>…).</summary>
    protected (Tensor Nope, Tensor Rope) SplitRope(Tensor h, Tensor freqs, long offset)
    {
        long dh = h.Size(-1);
        if (dh != QkNopeDim + QkRopeDim)
            throw new ArgumentException($"per-head width {dh} ≠ qk_nope_dim {QkNopeDim} + qk_rope_dim {QkRopeDim}");
        return (h.Narrow(-1, 0, QkNopeDim), Layers.Rope.Rotate(h.Narrow(-1, QkNopeDim, QkRopeDim), freqs, offset));
    }

    /// <summary>Scores of both branches summed and scaled, mask (0 = blocked, replaced by −1e9), softmax, dropout,
    /// recorded as <c>attention</c> under the module's prefix, times the values: [b, H, Sq, dh].</summary>
    protected Tensor Attend(Tensor qn, Tensor qr, Tensor kn, Tensor kr, Tensor v, Tensor? mask, ForwardContext ctx, string path)
    {
        // [b, H, Sq, Sk]: the two branches' dot products are computed separately and summed, then scaled.
        // One query per row (a decoding step): broadcast products summed over the feature axis instead of batched
        // matrix products, which libtorch's CPU bmm runs as one small GEMM call per (row, head) — 12 to 200 calls
        // of a few flops each per step. Same sums, in another order (differences ~1e-7).
        bool single = qn.Size(-2) == 1;
        var scores = single
            ? qn.Mul(kn).Sum(-1).Add(qr.Mul(kr).Sum(-1)).Div(ScaleDenominator).Unsqueeze(-2)
            : qn.Matmul(kn.Transpose(-2, -1)).Add(qr.Matmul(kr.Transpose(-2, -1))).Div(ScaleDenominator);
        if (mask is not null)
        {
            var m = mask.Dim == 3 ? mask.Unsqueeze(1) : mask;
            if (m.Size(-2) != scores.Size(-2)) m = m.Narrow(-2, m.Size(-2) - scores.Size(-2), scores.Size(-2));
            scores = scores.MaskedFill(m.Eq(0), MaskFill);
        }
        var probs = ctx.Dropout(scores.Softmax(-1), AttentionDropout);
        ctx.Trace?.Record(path, "attention", probs);
        return single ? probs.Transpose(-2, -1).Mul(v).Sum(-2, keepDim: true) : probs.Matmul(v);   // [b, H, Sq, dh]
    }
}

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
}

using Micar.Nn;
using Micar.Torch;
using System.Runtime.CompilerServices;
namespace Micar.Layers;

/// <summary>
/// Rotary position embedding as the official attention uses it (§4.6, rotary-embedding-torch defaults):
/// a <c>RotaryEmbedding(dim = QkRopeDim / 2)</c>. Only the first <see cref="RotatedWidth"/> features of the
/// rope part are rotated, in interleaved pairs, at positions 0 … S−1 along axis −2; the rest pass through.
/// Tensor: the frozen parameter <c>freqs [FrequencyCount]</c>, <c>f_j = Theta^(−2j/RotaryDim)</c>.
/// Input <c>[..., S, QkRopeDim]</c>, shape-preserving.
/// </summary>
/// <param name="QkRopeDim">Width of the rope part of each head.</param>
/// <param name="Theta">Base of the frequencies.</param>
public sealed record Rope(int QkRopeDim, double Theta = 10000) : IModule
{
    /// <inheritdoc/>
    public string Kind => "Rope";

    /// <summary>The <c>dim</c> of the RotaryEmbedding: QkRopeDim / 2 (integer division).</summary>
    public int RotaryDim => QkRopeDim / 2;

    /// <summary>Number of frequencies: ⌊RotaryDim / 2⌋.</summary>
    public int FrequencyCount => RotaryDim / 2;

    /// <summary>Number of rope features actually rotated: 2·FrequencyCount.</summary>
    public int RotatedWidth => 2 * FrequencyCount;

    /// <inheritdoc/>
    public IReadOnlyList<ParamInfo> Tensors =>
    [
        new("freqs", new Shape(FrequencyCount), Micar.Torch.DType.Float32, ParamKind.FrozenParam,
            new Initializer.RopeFrequencies(RotaryDim, Theta)),
    ];

    /// <inheritdoc/>
    public IReadOnlyList<NamedLayer> Children => [];

    /// <inheritdoc/>
    public IEnumerable<string> CheckFields()
    {
        if (QkRopeDim < 0) yield return $"Rope.QkRopeDim {QkRopeDim} must not be negative";
        if (!(Theta > 1)) yield return $"Rope.Theta {Theta} must exceed 1";
    }

    /// <inheritdoc/>
    public Shape Trace(ShapeTracer tracer, IReadOnlyList<Shape> inputs)
    {
        tracer.ExpectInputs(inputs, 1);
        tracer.ExpectMinRank(inputs[0], 2, "input");
        tracer.ExpectDim(inputs[0], -1, QkRopeDim, "input");
        return inputs[0];
    }

    /// <summary>Rotates <paramref name="x"/> [.., S, QkRopeDim] at positions 0…S−1 with this layer's <c>freqs</c>.</summary>
    public Tensor Apply(ParamView p, Tensor x, ForwardContext ctx) => Rotate(x, p["freqs"]);

    /// <summary>Rotates <paramref name="x"/> [.., S, QkRopeDim] at positions <paramref name="offset"/>…offset+S−1.</summary>
    public Tensor Apply(ParamView p, Tensor x, ForwardContext ctx, long offset) => Rotate(x, p["freqs"], offset);

    static readonly Op Fused = new("micar::rope_interleaved");

    /// <summary>The frequencies <c>10000^(−2j/dim)</c>, j = 0…dim/2−1, for a rotary dimension <paramref name="dim"/>.</summary>
    public static Tensor Frequencies(int dim, double theta = 10000)
    {
        using var scope = Libtorch.NewScope();
        var j = Libtorch.Arange(0, dim, 2, DType.Float32).Narrow(0, 0, dim / 2);
        var f = Libtorch.Full([dim / 2], theta).Pow(j.Div(dim)).Reciprocal();
        return f.MoveToOuterScope();
    }

    /// <summary>Rotates <paramref name="x"/> [.., S, D] at positions offset…offset+S−1 with <paramref name="freqs"/> [F].</summary>
    /// <remarks>The cosines and sines of frozen frequencies are computed once per frequency tensor for positions
    /// 0…P−1 (P doubling as needed) and sliced for each call; frequencies that require a gradient are used directly.</remarks>
    public static Tensor Rotate(Tensor x, Tensor freqs, long offset = 0)
    {
        using var scope = Libtorch.NewScope();
        long s = x.Size(-2), d = x.Size(-1), rot = 2 * freqs.Size(0);
        if (rot > d) throw new ArgumentException($"rope rotates {rot} features but the input has only {d}");
        if (offset < 0) throw new ArgumentOutOfRangeException(nameof(offset), offset, "rope positions start at 0");
        var (cos, sin) = CosSin(freqs, offset, s);                                              // [S, 2F]
        // x·cos + (−x1, x0)·sin on the first 2F features, the rest passed through: micar::rope_interleaved runs
        // those eleven ATen operators in one call.
        return Fused.Call(x, cos, sin).MoveToOuterScope();
    }

    /// <summary>Angles <c>θ = p·f_j</c> [S, 2F] (float32), each repeated twice: θ0, θ0, θ1, θ1, …</summary>
    static Tensor Angles(Tensor freqs, long offset, long s)
    {
        var pos = Libtorch.Arange(offset, offset + s, dtype: DType.Float32, device: freqs.Device);  // [S]
        var angles = pos.Unsqueeze(1).Mul(freqs.Unsqueeze(0));                                  // [S, F]
        return angles.Unsqueeze(-1).Expand(-1, -1, 2).Reshape(s, 2 * freqs.Size(0));
    }

    static readonly ConditionalWeakTable<Tensor, RopeTable> Tables = new();

    static (Tensor Cos, Tensor Sin) CosSin(Tensor freqs, long offset, long s)
    {
        if (freqs.RequiresGrad || freqs.DType != DType.Float32)
        {
            var a = Angles(freqs, offset, s);
            return (a.Cos(), a.Sin());
        }
        return Tables.GetValue(freqs, _ => new RopeTable()).Slice(freqs, offset, s);
    }

    /// <summary>cos θ and sin θ for positions 0…P−1 of one frequency tensor. On the CPU the table remembers the
    /// frequencies it was built from and is rebuilt when they change (e.g. a checkpoint copied into the tensor).</summary>
    sealed class RopeTable
    {
        readonly Lock _lock = new();
        float[]? _freqs;
        Tensor? _cos, _sin;
        long _positions;

        public (Tensor Cos, Tensor Sin) Slice(Tensor freqs, long offset, long s)
        {
            lock (_lock)
            {
                float[]? values = freqs.Device.Type == DeviceType.Cpu ? freqs.ToArray<float>() : null;
                bool stale = _cos is null || offset + s > _positions
                    || (values is not null && (_freqs is null || !values.AsSpan().SequenceEqual(_freqs)));
                if (stale)
                {
                    long positions = Math.Max(64, _positions);
                    while (positions < offset + s) positions *= 2;
                    using var scope = Libtorch.NewScope();
                    using var noGrad = Autograd.NoGrad();
                    var a = Angles(freqs, 0, positions);
                    var (cos, sin) = (a.Cos().DetachFromScope(), a.Sin().DetachFromScope());
                    _cos?.Dispose();
                    _sin?.Dispose();
                    (_cos, _sin, _positions, _freqs) = (cos, sin, positions, values);
                }
                return (_cos!.Narrow(0, offset, s), _sin!.Narrow(0, offset, s));
            }
        }
    }
}

using Micar.Torch;
using Micar.Nn;
namespace Micar.Layers;

/// <summary>
/// Pre-norm encoder block (§4.10), <c>[b, N, d] → [b, N, d]</c>, no mask:
/// <c>h = x + self_attention(norm_sa(x))</c>; <c>out = h + ff(norm_ff(h))</c>.
/// Children <c>norm_sa</c>, <c>self_attention</c>, <c>norm_ff</c>, <c>ff</c>.
/// </summary>
/// <param name="NormSa">Norm before the attention.</param>
/// <param name="SelfAttention">The self-attention.</param>
/// <param name="NormFf">Norm before the feed-forward.</param>
/// <param name="Ff">The feed-forward.</param>
public sealed record EncoderBlock(RmsNorm NormSa, MdlaSelfAttention SelfAttention, RmsNorm NormFf, GatedFfn Ff) : IModule
{
    /// <summary>The block of the official encoder for the given hyperparameters.</summary>
    public static EncoderBlock Create(MdlaSelfAttention attention, GatedFfn ff) =>
        new(new RmsNorm(attention.DModel), attention, new RmsNorm(attention.DModel), ff);

    /// <inheritdoc/>
    public string Kind => "EncoderBlock";

    /// <summary>Model width (that of the attention).</summary>
    public int DModel => SelfAttention.DModel;

    /// <inheritdoc/>
    public IReadOnlyList<ParamInfo> Tensors => [];

    /// <inheritdoc/>
    public IReadOnlyList<NamedLayer> Children =>
        [new("norm_sa", NormSa), new("self_attention", SelfAttention), new("norm_ff", NormFf), new("ff", Ff)];

    /// <inheritdoc/>
    public IEnumerable<string> CheckFields()
    {
        if (NormSa.Dim != DModel) yield return $"EncoderBlock.NormSa.Dim {NormSa.Dim} does not match SelfAttention.DModel {DModel}";
        if (NormFf.Dim != DModel) yield return $"EncoderBlock.NormFf.Dim {NormFf.Dim} does not match SelfAttention.DModel {DModel}";
        if (Ff.DModel != DModel) yield return $"EncoderBlock.Ff.DModel {Ff.DModel} does not match SelfAttention.DModel {DModel}";
    }

    /// <inheritdoc/>
    public Shape Trace(ShapeTracer tracer, IReadOnlyList<Shape> inputs)
    {
        tracer.ExpectInputs(inputs, 1);
        var x = inputs[0];
        tracer.Call("self_attention", SelfAttention, tracer.Call("norm_sa", NormSa, x));
        tracer.Call("ff", Ff, tracer.Call("norm_ff", NormFf, x));
        return x;
    }

    /// <summary><c>x + self_attention(norm_sa x)</c>, then <c>+ ff(norm_ff ·)</c>: [b, N, d] → [b, N, d].</summary>
    public Tensor Apply(ParamView p, Tensor x, ForwardContext ctx)
    {
        using var scope = Libtorch.NewScope();
        var h = x.Add(SelfAttention.Apply(p.At("self_attention"), NormSa.Apply(p.At("norm_sa"), x, ctx), null, ctx));
        return h.Add(Ff.Apply(p.At("ff"), NormFf.Apply(p.At("norm_ff"), h, ctx), ctx)).MoveToOuterScope();
    }
}

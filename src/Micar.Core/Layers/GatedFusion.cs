using Micar.Torch;
using Micar.Nn;
namespace Micar.Layers;

/// <summary>
/// Gated fusion of text and image tokens (§4.8), inputs <c>x [b, T, DModel]</c> and encoder output
/// <c>E [b, N, DModel]</c> → <c>[b, T, DModel]</c>:
/// <code>
/// nx = norm1(x); ne = norm2(E); a = cross_attention(nx, ne) + x
/// g  = global_proj([mean_N(ne), max_N(ne)])                       // [b, 1, d]
/// na = norm3(a); γ = gate([na, nx]); m = γ⊙na + (1−γ)⊙nx
/// out = fusion([m, na, g]) + a
/// </code>
/// Children <c>norm1</c>, <c>norm2</c>, <c>norm3</c>, <c>cross_attention</c>,
/// <c>gate</c> = [Linear 2d→d, act, Linear d→d, sigmoid], <c>global_proj</c> Linear 2d→d,
/// <c>fusion</c> = [Linear 3d→d, act, dropout, Linear d→d, dropout]; all these Linears have biases.
/// </summary>
/// <param name="DModel">Model width d.</param>
/// <param name="Activation">Activation of the gate and fusion MLPs.</param>
/// <param name="Dropout">Dropout inside the fusion MLP.</param>
/// <param name="CrossAttention">The cross-attention.</param>
/// <param name="Init">Initializer of the Linear weights.</param>
public sealed record GatedFusion(int DModel, Activation Activation, double Dropout, MdlaCrossAttention CrossAttention, WeightInit Init = WeightInit.TorchDefault) : ILayer
{
    /// <inheritdoc/>
    public string Kind => "GatedFusion";

    /// <summary>A norm of width DModel.</summary>
    public RmsNorm Norm => new(DModel);

    /// <summary>The gate MLP.</summary>
    public Sequential Gate => new(
        new Linear(2 * DModel, DModel, Bias: true, Init), new Act(Activation),
        new Linear(DModel, DModel, Bias: true, Init), new Act(Layers.Activation.Sigmoid));

    /// <summary>The projection of the pooled image summary.</summary>
    public Linear GlobalProj => new(2 * DModel, DModel, Bias: true, Init);

    /// <summary>The fusion MLP.</summary>
    public Sequential Fusion => new(
        new Linear(3 * DModel, DModel, Bias: true, Init), new Act(Activation), new Dropout(Dropout),
        new Linear(DModel, DModel, Bias: true, Init), new Dropout(Dropout));

    /// <inheritdoc/>
    public IReadOnlyList<ParamInfo> Tensors => [];

    /// <inheritdoc/>
    public IReadOnlyList<NamedLayer> Children =>
    [
        new("norm1", Norm), new("norm2", Norm), new("norm3", Norm), new("cross_attention", CrossAttention),
        new("gate", Gate), new("global_proj", GlobalProj), new("fusion", Fusion),
    ];

    /// <inheritdoc/>
    public IEnumerable<string> CheckFields()
    {
        if (DModel <= 0) yield return $"GatedFusion.DModel {DModel} must be positive";
        if (CrossAttention is null) yield return "GatedFusion.CrossAttention is missing";
        else if (CrossAttention.DModel != DModel)
            yield return $"GatedFusion.CrossAttention.DModel {CrossAttention.DModel} does not match GatedFusion.DModel {DModel}";
    }

    /// <inheritdoc/>
    public Shape Trace(ShapeTracer tracer, IReadOnlyList<Shape> inputs)
    {
        tracer.ExpectInputs(inputs, 2);
        var (x, e) = (inputs[0], inputs[1]);                                     // [b, T, d], [b, N, d]
        tracer.ExpectRank(x, 3, "text input");
        tracer.ExpectRank(e, 3, "image input");
        var nx = tracer.Call("norm1", Norm, x);
        var ne = tracer.Call("norm2", Norm, e);
        var a = tracer.Call("cross_attention", CrossAttention, nx, ne);          // [b, T, d]
        tracer.Call("global_proj", GlobalProj, new Shape(e[0], 1, 2 * DModel)); // [b, 1, d]
        tracer.Call("norm3", Norm, a);
        tracer.Call("gate", Gate, a.WithLast(2 * DModel));                       // [b, T, d]
        return tracer.Call("fusion", Fusion, a.WithLast(3 * DModel));            // [b, T, d]
    }

    /// <summary>Applies the block to text <paramref name="x"/> [b, T, d] and encoder output <paramref name="e"/> [b, N, d]
    /// (§4.8 as the official code computes it): <c>a = CrossAttn(norm1 x, norm2 E) + x</c>;
    /// <c>g = global_proj([mean(norm2 E), max(norm2 E)])</c>; <c>γ = gate([norm3 a, norm1 x])</c>;
    /// <c>m = γ·norm3 a + (1−γ)·norm1 x</c>; <c>out = fusion([m, norm3 a, g]) + a</c>. With a filled
    /// <paramref name="cache"/> the image's keys, values and global vector are reused and <paramref name="e"/> is not
    /// read; <paramref name="queryOffset"/> is the rope position of the first text position.</summary>
    public Tensor Apply(ParamView p, Tensor x, Tensor? e, ForwardContext ctx, AttentionCache? cache = null, long queryOffset = 0)
    {
        using var scope = Libtorch.NewScope();
        var norm = Norm;
        var nx = norm.Apply(p.At("norm1"), x, ctx);
        Tensor g;
        Tensor? ne = null;
        if (cache is { Length: > 0, Extra: not null })
            g = cache.Extra;
        else
        {
            if (e is null) throw new ArgumentNullException(nameof(e), "gated fusion needs the image memory until its cache is filled");
            ne = norm.Apply(p.At("norm2"), e, ctx);
            var pooled = Libtorch.Cat([ne.Mean(1, keepDim: true), ne.Amax(1, keepDim: true)], -1);      // [b, 1, 2d]
            g = GlobalProj.Apply(p.At("global_proj"), pooled, ctx);                                      // [b, 1, d]
            cache?.SetExtra(g.Alias());
        }
        var a = CrossAttention.Apply(p.At("cross_attention"), nx, ne, ctx, cache, queryOffset).Add(x);
        var na = norm.Apply(p.At("norm3"), a, ctx);
        var gamma = Gate.Apply(p.At("gate"), Libtorch.Cat([na, nx], -1), ctx);                          // σ(…) [b, T, d]
        ctx.Trace?.Record(p.Prefix, "gate", gamma);
        var m = gamma.Mul(na).Add((1.0 - gamma).Mul(nx));
        var c = Libtorch.Cat([m, na, g.Expand(-1, na.Size(1), -1)], -1);                                // [b, T, 3d]
        return Fusion.Apply(p.At("fusion"), c, ctx).Add(a).MoveToOuterScope();
    }
}

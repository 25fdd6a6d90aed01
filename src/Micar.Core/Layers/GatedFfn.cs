using Micar.Torch;
using Micar.Nn;
namespace Micar.Layers;

/// <summary>
/// Gated, bias-free feed-forward (§4.3): <c>Dropout(w2(act(w1·x) ⊙ (w3·x)))</c>, <c>[..., DModel] → [..., DModel]</c>.
/// Children <c>w1</c> (DModel→DFf, activated branch), <c>w2</c> (DFf→DModel, output), <c>w3</c> (DModel→DFf, value branch).
/// Used as the encoder FFN and as each MoE expert; FFN(0) = 0 for every activation.
/// </summary>
/// <param name="DModel">Model width.</param>
/// <param name="DFf">Hidden width.</param>
/// <param name="Activation">Activation of the w1 branch.</param>
/// <param name="Dropout">Dropout after w2.</param>
/// <param name="Init">Initializer of the three weights.</param>
public sealed record GatedFfn(int DModel, int DFf, Activation Activation, double Dropout, WeightInit Init = WeightInit.TorchDefault) : IModule
{
    /// <inheritdoc/>
    public string Kind => "GatedFfn";

    /// <summary>The activated input projection.</summary>
    public Linear W1 => new(DModel, DFf, Bias: false, Init);

    /// <summary>The output projection.</summary>
    public Linear W2 => new(DFf, DModel, Bias: false, Init);

    /// <summary>The linear (value) input projection.</summary>
    public Linear W3 => new(DModel, DFf, Bias: false, Init);

    /// <inheritdoc/>
    public IReadOnlyList<ParamInfo> Tensors => [];

    /// <inheritdoc/>
    public IReadOnlyList<NamedLayer> Children => [new("w1", W1), new("w2", W2), new("w3", W3)];

    /// <inheritdoc/>
    public IEnumerable<string> CheckFields()
    {
        if (DModel <= 0) yield return $"GatedFfn.DModel {DModel} must be positive";
        if (DFf <= 0) yield return $"GatedFfn.DFf {DFf} must be positive";
        if (!(Dropout is >= 0 and < 1)) yield return $"GatedFfn.Dropout {Dropout} must lie in [0, 1)";
    }

    /// <inheritdoc/>
    public Shape Trace(ShapeTracer tracer, IReadOnlyList<Shape> inputs)
    {
        tracer.ExpectInputs(inputs, 1);
        var a = tracer.Call("w1", W1, inputs[0]);
        tracer.Call("w3", W3, inputs[0]);
        return tracer.Call("w2", W2, a);
    }

    /// <summary>Applies the FFN with <c>w1.weight</c>, <c>w2.weight</c>, <c>w3.weight</c> under <paramref name="p"/>.</summary>
    public Tensor Apply(ParamView p, Tensor x, ForwardContext ctx)
    {
        using var scope = Libtorch.NewScope();
        var act = Activations.Of(Activation);
        var h = act(F.Linear(x, p["w1.weight"])).Mul(F.Linear(x, p["w3.weight"]));   // [.., d_ff]
        var y = F.Linear(h, p["w2.weight"]);                                           // [.., d]
        return ctx.Dropout(y, Dropout).MoveToOuterScope();
    }
}

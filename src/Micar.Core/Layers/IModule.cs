using Micar.Nn;
using Micar.Torch;

namespace Micar.Layers;

/// <summary>
/// A layer description that also runs: one tensor in, one tensor out, its parameters read from a <see cref="ParamView"/>
/// under the layer's own state-dict names (<c>weight</c>, <c>w1.weight</c>, …). The description holds no tensors;
/// <see cref="ParamView"/> supplies them and <see cref="ForwardContext"/> the mode, dropout generator and trace sink
/// (Flax's <c>module.apply(params, x)</c>). Layers with more inputs or outputs (attention with a mask, the decoder
/// block with the image memory, the MoE with its balance value) have their own <c>Apply</c> overloads besides this one.
/// </summary>
public interface IModule : ILayer
{
    /// <summary>Runs the layer on <paramref name="x"/> with the parameters under <paramref name="p"/>.</summary>
    Tensor Apply(ParamView p, Tensor x, ForwardContext ctx);
}

/// <summary>Helpers for running descriptions.</summary>
public static class Module
{
    /// <summary><paramref name="layer"/> as a module, or an error naming it and the composite that needs it to run.</summary>
    public static IModule Runnable(ILayer layer, string owner) =>
        layer as IModule ?? throw new NotSupportedException(
            $"{owner}: {layer.Kind} does not run on one input (it is not an IModule); call its own Apply");

    /// <summary>Runs <paramref name="layer"/> on <paramref name="x"/>: <see cref="IModule.Apply"/>, with an error naming
    /// the layer when it has no single-input form.</summary>
    public static Tensor Apply(this ILayer layer, ParamView p, Tensor x, ForwardContext ctx) =>
        Runnable(layer, layer.Kind).Apply(p, x, ctx);
}

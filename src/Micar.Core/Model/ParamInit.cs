
using Micar.Layers;
using Micar.Torch;
using Micar.Nn;

namespace Micar.Model;


/// <summary>Allocates and initialises the parameters and buffers a layer description lists
/// (names, shapes, dtypes, kinds and initializers all come from the description).</summary>
public static class ParamInit
{
    /// <summary>A new store for <paramref name="layer"/>, initialised from <paramref name="generator"/>.</summary>
    public static ParamStore Create(ILayer layer, Generator generator, Device? device = null)
    {
        var store = new ParamStore();
        using var noGrad = Autograd.NoGrad();
        foreach (var info in layer.Parameters())
        {
            using var scope = Libtorch.NewScope();
            var t = Initialize(info, generator);
            if (device is { Type: not DeviceType.Cpu } d) t = t.To(d);
            bool trainable = info.Kind == ParamKind.Param;
            t = t.Detach();
            if (trainable) t.RequiresGrad = true;
            store.Set(info.Name, t.MoveToOuterScope(), trainable);
        }
        return store;
    }

    /// <summary>The initial value of one tensor.</summary>
    public static Tensor Initialize(ParamInfo info, Generator g)
    {
        var shape = info.Shape.ToArray();
        var dtype = info.DType;
        return info.Init switch
        {
            Initializer.Ones => Libtorch.Ones(shape, dtype),
            Initializer.Zeros => Libtorch.Zeros(shape, dtype),
            Initializer.UniformFanIn u => Libtorch.Empty(shape, dtype).Uniform_(-u.Bound, u.Bound, g),
            Initializer.XavierUniform x => Libtorch.Empty(shape, dtype).Uniform_(-x.Bound, x.Bound, g),
            Initializer.KaimingNormalFanOut k => Libtorch.Empty(shape, dtype).Normal_(0, k.Std, g),
            Initializer.StandardNormal => Libtorch.Empty(shape, dtype).Normal_(0, 1, g),
            Initializer.Sinusoidal s => Layers.SinusoidalPositions.Table(s.MaxLength, s.Dim),
            Initializer.RopeFrequencies r => Layers.Rope.Frequencies(r.RotaryDim, r.Theta),
            var other => throw new NotSupportedException($"no initializer implementation for {other} ({info.Name})"),
        };
    }
}

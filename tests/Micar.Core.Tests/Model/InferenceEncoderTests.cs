using Micar.Layers;
using Micar.Model;
using Micar.Nn;
using Micar.Torch;
using Xunit;

namespace Micar.Tests.Model;

/// <summary>The evaluation path of the vision encoder without gradients (MSVE fusion conv by Winograd with transformed
/// weights kept in the store, bias and batch norm folded into one per-channel map with the ReLU): same values as the
/// layer-by-layer path, and never stale when the weights or the batch-norm statistics change.</summary>
public class InferenceEncoderTests
{
    static double MaxAbs(Tensor a, Tensor b) => a.Sub(b).Abs().Max().Item();

    [Fact]
    public void Derived_tensors_are_kept_while_their_sources_are_unchanged()
    {
        using var scope = Libtorch.NewScope();
        using var store = new ParamStore();
        store.Set("w", Libtorch.Ones([3]), trainable: true);
        int made = 0;
        Tensor Doubled() => store.Derived("w:doubled", [store["w"]], () => { made++; return store["w"].Mul(2); });
        var first = Doubled();
        Assert.Same(first, Doubled());
        Assert.Equal(1, made);
        Assert.Equal(12, store.DerivedBytes);
        using (Autograd.NoGrad()) store["w"].Add_(1);                         // an optimizer step: in place
        Assert.Equal(4.0, Doubled().Max().Item());
        Assert.Equal(2, made);
        store.Set("w", Libtorch.Full([3], 5.0), trainable: true);             // replaced (checkpoint load)
        Assert.Equal(10.0, Doubled().Max().Item());
        Assert.Equal(3, made);
        store.DropDerived("w");
        Assert.Equal(0, store.DerivedBytes);
        Doubled();
        Assert.Equal(4, made);
        Assert.False(Doubled().RequiresGrad);
    }

    /// <summary>An MSVE with a ResNet-18 trunk, 64 channels (Winograd forced: the automatic choice takes it from 512),
    /// random batch norms everywhere (statistics far from the initial 0/1).</summary>
    static (Msve Msve, ParamStore Store, Tensor Image) Encoder()
    {
        var msve = new Msve(new ResNet(18), 64, 3, 3);
        var g = new Generator(31);
        var store = ParamInit.Create(msve, g);
        using (Autograd.NoGrad())
            foreach (var (key, t) in store.Entries().ToList())
            {
                if (key.EndsWith("running_mean")) t.Copy_(Libtorch.Randn(t.Shape, g).Mul(0.3));
                else if (key.EndsWith("running_var")) t.Copy_(Libtorch.Rand(t.Shape, g).Add(0.5));
                else if (t.Shape.Length == 1 && !key.EndsWith("num_batches_tracked")) t.Copy_(Libtorch.Randn(t.Shape, g).Mul(0.5).Add(key.EndsWith("weight") ? 1 : 0));
            }
        return (msve, store, Libtorch.Randn([2, 3, 64, 64], g));
    }

    static readonly ForwardContext EvalWinograd = ForwardContext.Eval with { FusionConv = ConvAlgorithm.Winograd4 };

    static Tensor LayerByLayer(Msve msve, ParamStore store, Tensor image)
    {
        Assert.True(Autograd.IsGradEnabled);                                 // with gradients: the training operator, BN, ReLU
        return msve.Apply(store.View(""), image, EvalWinograd).Detach();
    }

    static Tensor Inference(Msve msve, ParamStore store, Tensor image)
    {
        using var noGrad = Autograd.NoGrad();
        return msve.Apply(store.View(""), image, EvalWinograd);
    }

    [Fact]
    public void The_inference_path_gives_the_layer_by_layer_values_and_follows_changed_weights_and_statistics()
    {
        using var scope = Libtorch.NewScope();
        var (msve, store, image) = Encoder();
        using var _ = store;
        var reference = LayerByLayer(msve, store, image);
        Assert.Equal(0, store.DerivedBytes);
        var fast = Inference(msve, store, image);
        Assert.True(store.DerivedBytes > 0, "the inference path keeps the transformed fusion weights");
        double scale = reference.Abs().Max().Item();
        Assert.True(MaxAbs(reference, fast) < 1e-5 * scale, $"max |Δ| {MaxAbs(reference, fast)} of {scale}");
        long kept = store.DerivedBytes;
        Assert.True(MaxAbs(fast, Inference(msve, store, image)) == 0);       // the kept weights again: same values
        Assert.Equal(kept, store.DerivedBytes);

        // An update of the fusion weights (in place, as an optimizer step), and new fusion statistics.
        using (Autograd.NoGrad())
        {
            store["fusion.0.weight"].Mul_(-0.5);
            store["fusion.1.running_mean"].Add_(0.25);
            store["fusion.1.running_var"].Mul_(2);
        }
        var changed = LayerByLayer(msve, store, image);
        Assert.True(MaxAbs(changed, reference) > 1e-2 * scale, "the change matters");
        var fastChanged = Inference(msve, store, image);
        Assert.True(MaxAbs(changed, fastChanged) < 1e-5 * changed.Abs().Max().Item(), $"stale: max |Δ| {MaxAbs(changed, fastChanged)}");

        // A training pass (batch statistics updated behind the version counters) releases the kept weights; after it
        // the inference path again equals the layer-by-layer one.
        using (var s = Libtorch.NewScope()) msve.Apply(store.View(""), image, ForwardContext.Train() with { FusionConv = ConvAlgorithm.Winograd4 });
        Assert.Equal(0, store.DerivedBytes);
        var trained = LayerByLayer(msve, store, image);
        Assert.True(MaxAbs(trained, changed) > 0, "training moved the running statistics");
        var fastTrained = Inference(msve, store, image);
        Assert.True(MaxAbs(trained, fastTrained) < 1e-5 * trained.Abs().Max().Item(), $"max |Δ| {MaxAbs(trained, fastTrained)}");
    }

    [Fact]
    public void The_direct_convolution_and_training_keep_the_layer_by_layer_path()
    {
        using var scope = Libtorch.NewScope();
        var (msve, store, image) = Encoder();
        using var _ = store;
        using (Autograd.NoGrad())
        {
            var direct = msve.Apply(store.View(""), image, ForwardContext.Eval with { FusionConv = ConvAlgorithm.Direct });
            Assert.Equal(0, store.DerivedBytes);                             // Direct reproduces PyTorch bit for bit: nothing folded
            var fast = Inference(msve, store, image);
            Assert.True(MaxAbs(direct, fast) < 1e-4 * direct.Abs().Max().Item());
        }
        var train = msve.Apply(store.View(""), image, ForwardContext.Train() with { FusionConv = ConvAlgorithm.Winograd4 });
        Assert.True(train.RequiresGrad);
        Assert.Equal(0, store.DerivedBytes);
    }
}

using Micar.Torch;
using Xunit;

namespace Micar.Torch.Tests;

public class AutogradTests
{
    /// <summary>conv → batch-norm (train) → SiLU → linear → cross-entropy, in float64.</summary>
    static Tensor Composite(Tensor img, Tensor convW, Tensor convB, Tensor bnW, Tensor bnB, Tensor linW, Tensor target)
    {
        var c = F.Conv2d(img, convW, convB, padding: 1);
        var bn = F.BatchNorm(c, null, null, bnW, bnB, training: true);
        var h = bn.Silu().Flatten(1);
        var logits = F.Linear(h, linW);
        return F.CrossEntropy(logits, target);
    }

    [Fact]
    public void Gradients_of_a_composite_function_agree_with_central_finite_differences()
    {
        using var scope = Libtorch.NewScope();
        using var gen = new Generator(99);
        Tensor P(params long[] shape) => Libtorch.Randn(shape, gen, DType.Float64).Mul(0.5).RequiresGrad_();
        var img = Libtorch.Randn([3, 2, 4, 4], gen, DType.Float64);
        var parameters = new[] { P(3, 2, 3, 3), P(3), P(3), P(3), P(5, 3 * 4 * 4) };
        var target = Libtorch.Tensor(new long[] { 1, 4, 0 });
        var loss = Composite(img, parameters[0], parameters[1], parameters[2], parameters[3], parameters[4], target);
        loss.Backward();

        const double h = 1e-6;
        foreach (var (p, pi) in parameters.Select((p, i) => (p, i)))
        {
            var analytic = p.Grad!.ToArray<double>();
            var flat = p.Detach().View(-1);
            // Check a spread of coordinates of every parameter.
            for (long k = 0; k < flat.Numel; k += Math.Max(1, flat.Numel / 7))
            {
                double Eval(double delta)
                {
                    using var s = Libtorch.NewScope();
                    using var ng = Autograd.NoGrad();
                    flat.Narrow(0, k, 1).Add_(delta);
                    var v = Composite(img, parameters[0], parameters[1], parameters[2], parameters[3], parameters[4], target).Item();
                    flat.Narrow(0, k, 1).Add_(-delta);
                    return v;
                }
                double numeric = (Eval(h) - Eval(-h)) / (2 * h);
                Assert.True(Math.Abs(numeric - analytic[k]) <= 1e-6 + 1e-5 * Math.Abs(numeric),
                    $"parameter {pi} element {k}: analytic {analytic[k]:g9} vs numeric {numeric:g9}");
            }
        }
    }

    [Fact]
    public void Grad_mode_inference_mode_detach_and_grad_reset_behave_like_pytorch()
    {
        using var scope = Libtorch.NewScope();
        var w = Libtorch.Ones([2]).RequiresGrad_();
        Assert.True(w.IsLeaf);
        using (Autograd.NoGrad())
        {
            Assert.False(Autograd.IsGradEnabled);
            Assert.False((w * 2).RequiresGrad);
        }
        Assert.True(Autograd.IsGradEnabled);
        using (Autograd.InferenceMode())
        {
            Assert.True(Autograd.IsInferenceMode);
            Assert.False((w * 2).RequiresGrad);
        }
        Assert.False(Autograd.IsInferenceMode);
        Assert.False(w.Mul(2).Detach().RequiresGrad);

        var y = (w * w).Sum();
        Assert.False(y.IsLeaf);
        y.Backward();
        Assert.Equal(new float[] { 2, 2 }, w.Grad!.ToArray<float>());
        (w * 3).Sum().Backward();
        Assert.Equal(new float[] { 5, 5 }, w.Grad!.ToArray<float>()); // accumulates
        w.Grad = null;
        Assert.Null(w.Grad);

        var a = Libtorch.Tensor(new float[] { 3 }).RequiresGrad_();
        var b = a * a * a;
        var da = Autograd.Grad([b.Sum()], [a], createGraph: true)[0]!;
        Assert.Equal(27f, da.Item<float>());
        var d2 = Autograd.Grad([da.Sum()], [a])[0]!;
        Assert.Equal(18f, d2.Item<float>());
    }
}

using Micar.Torch;
namespace Micar.Torch.Optim;

/// <summary>Gradient clipping.</summary>
public static class GradClip
{
    /// <summary>Scales all gradients so that their global L2 norm is at most <paramref name="maxNorm"/>
    /// (PyTorch's <c>clip_grad_norm_</c>); returns the norm before clipping.</summary>
    public static double ClipGradNorm(IEnumerable<Tensor> parameters, double maxNorm)
    {
        using var scope = Libtorch.NewScope();
        using var noGrad = Autograd.NoGrad();
        var grads = parameters.Select(p => p.Grad).Where(g => g is not null).Select(g => g!).ToArray();
        if (grads.Length == 0) return 0;
        var norms = grads.Select(g => g.Norm(2)).ToArray();
        var total = Libtorch.Stack(norms).Norm(2);
        var coef = (total + 1e-6).Reciprocal().Mul(maxNorm).Clamp(max: 1.0);
        foreach (var g in grads) g.Mul_(coef);
        return total.Item();
    }
}

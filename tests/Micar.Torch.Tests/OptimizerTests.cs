using Micar.Torch;
using Micar.Torch.Optim;
using Xunit;
using static Micar.Torch.Tests.TorchFixture;

namespace Micar.Torch.Tests;

public class OptimizerTests
{
    [Fact]
    public void AdamW_with_amsgrad_two_groups_and_StepLR_matches_pytorch()
    {
        using var scope = Libtorch.NewScope();
        var p1 = Get("adamw_p1_init").RequiresGrad_();
        var p2 = Get("adamw_p2_init").RequiresGrad_();
        using var opt = new AdamW([new ParamGroup([p1], 5e-2), new ParamGroup([p2], 1e-1)],
            weightDecay: 5e-2, amsgrad: true);
        var sched = new StepLR(opt, 2, 0.1);
        var lrs = new List<float>();
        for (int step = 0; step < 5; step++)
        {
            using var s = Libtorch.NewScope();
            opt.ZeroGrad();
            var loss = p1.Pow(2).Sum() * (1 + step) + (p2.Sin() * (step - 2)).Sum();
            loss.Backward();
            opt.Step();
            sched.Step();
            lrs.AddRange(sched.LearningRates.Select(v => (float)v));
        }
        AssertMatches("adamw_p1_final", p1, 1e-6);
        AssertMatches("adamw_p2_final", p2, 1e-6);
        AssertMatches("steplr_lrs", Libtorch.Tensor(lrs.ToArray()), 0);
    }

    [Fact]
    public void Optimizer_state_round_trips_and_resumes_identically()
    {
        using var scope = Libtorch.NewScope();
        Tensor Run(int steps, Func<AdamW, int, bool>? hook = null)
        {
            var p = Libtorch.Tensor(new float[] { 1, -2, 3 }).RequiresGrad_();
            var opt = new AdamW([p], lr: 0.1, amsgrad: true);
            for (int i = 0; i < steps; i++)
            {
                if (hook?.Invoke(opt, i) == true) { }
                opt.ZeroGrad();
                (p.Pow(3).Sum()).Backward();
                opt.Step();
            }
            return p;
        }
        var straight = Run(6);
        // Run 3 steps, save, rebuild, load, run 3 more.
        var p = Libtorch.Tensor(new float[] { 1, -2, 3 }).RequiresGrad_();
        var opt = new AdamW([p], lr: 0.1, amsgrad: true);
        for (int i = 0; i < 3; i++) { opt.ZeroGrad(); p.Pow(3).Sum().Backward(); opt.Step(); }
        var (tensors, scalars) = opt.StateDict();
        var saved = tensors.ToDictionary(kv => kv.Key, kv => kv.Value.Clone());
        var p2 = p.Detach().Clone().RequiresGrad_();
        var opt2 = new AdamW([p2], lr: 0.1, amsgrad: true);
        opt2.LoadStateDict(saved, scalars);
        for (int i = 0; i < 3; i++) { opt2.ZeroGrad(); p2.Pow(3).Sum().Backward(); opt2.Step(); }
        Assert.True(straight.Equal(p2));
        var bad = new Dictionary<string, Tensor>(saved) { ["state.0.exp_avg"] = Libtorch.Zeros([2]) };
        var e = Assert.Throws<ArgumentException>(() => new AdamW([p2], amsgrad: true).LoadStateDict(bad, scalars));
        Assert.Contains("state.0.exp_avg", e.Message);
    }

    [Fact]
    public void Global_norm_clipping_matches_pytorch()
    {
        using var scope = Libtorch.NewScope();
        var q1 = Get("clip_q1").RequiresGrad_();
        var q2 = Get("clip_q2").RequiresGrad_();
        ((q1 * 3).Sum() + q2.Pow(3).Sum()).Backward();
        double norm = GradClip.ClipGradNorm([q1, q2], 1.5);
        using var expected = Get("clip_total_norm");
        Assert.Equal(expected.Item(), norm, 5);
        AssertMatches("clip_q1_grad", q1.Grad!, 1e-6);
        AssertMatches("clip_q2_grad", q2.Grad!, 1e-6);
    }
}

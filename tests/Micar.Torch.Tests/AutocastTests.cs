using Micar.Torch;
using Xunit;

namespace Micar.Torch.Tests;

public class AutocastTests
{
    [Fact]
    public void Cpu_bfloat16_region_runs_linear_in_bfloat16_keeps_float32_weights_and_restores_the_state()
    {
        using var scope = Libtorch.NewScope();
        var gen = new Generator(3);
        var x = Libtorch.Randn([4, 8], gen);
        var w = Libtorch.Randn([5, 8], gen).RequiresGrad_();
        Assert.False(Autograd.IsAutocastEnabled(DeviceType.Cpu));
        Tensor y;
        using (Autograd.Autocast(DeviceType.Cpu, DType.BFloat16))
        {
            Assert.True(Autograd.IsAutocastEnabled(DeviceType.Cpu));
            y = F.Linear(x, w);
            Assert.Equal(DType.BFloat16, y.DType);
            using (Autograd.Autocast(DeviceType.Cpu, DType.BFloat16, enabled: false))
            {
                Assert.False(Autograd.IsAutocastEnabled(DeviceType.Cpu));
                Assert.Equal(DType.Float32, F.Linear(x, w).DType);
            }
            Assert.True(Autograd.IsAutocastEnabled(DeviceType.Cpu));
        }
        Assert.False(Autograd.IsAutocastEnabled(DeviceType.Cpu));
        Assert.Equal(DType.Float32, F.Linear(x, w).DType);
        // bfloat16 keeps ~3 significant digits; the gradient reaches the float32 weights as float32.
        var exact = F.Linear(x, w);
        double rel = y.To(DType.Float32).Sub(exact).Abs().Max().Item() / exact.Abs().Max().Item();
        Assert.True(rel < 2e-2, $"relative error {rel}");
        y.To(DType.Float32).Sum().Backward();
        Assert.Equal(DType.Float32, w.Grad!.DType);
        Assert.Throws<ArgumentOutOfRangeException>(() => Autograd.Autocast(DeviceType.Cpu, DType.Float32));
    }
}

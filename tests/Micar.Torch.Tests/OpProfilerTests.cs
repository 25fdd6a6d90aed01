using Micar.Torch;
using Xunit;

namespace Micar.Torch.Tests;

// Profiler state is process-wide: these tests must not run beside others that profile.
[Collection("op profiler")]
public class OpProfilerTests
{
    [Fact]
    public void Counts_each_operator_with_self_time_within_total_and_finds_backward_nodes()
    {
        using var scope = Libtorch.NewScope();
        var a = Libtorch.Randn([64, 32], new Generator(1)).RequiresGrad_();
        var b = Libtorch.Randn([32, 16], new Generator(2));
        var profile = OpProfiler.Profile(() =>
        {
            for (int i = 0; i < 3; i++) a.Mm(b).Relu().Sum().Backward();
        }, thisThreadOnly: true);
        var mm = profile.Rows.Single(r => r.Name == "aten::mm");
        Assert.True(mm.Calls >= 3, $"aten::mm ran {mm.Calls} times");           // forward 3×, backward adds more
        Assert.Contains(profile.Rows, r => r.Name == "MmBackward0" && r.Calls == 3);
        Assert.Contains(profile.Rows, r => r.Name == "aten::relu" && r.Calls == 3);
        Assert.All(profile.Rows, r => Assert.True(r.Self <= r.Total && r.Self >= TimeSpan.Zero, r.Name));
        Assert.True(profile.OuterTime <= profile.Wall && profile.OuterCalls >= 9);
        Assert.True(profile.Rows.Zip(profile.Rows.Skip(1)).All(p => p.First.Self >= p.Second.Self), "rows sorted by self time");
        Assert.Contains("aten::mm", profile.Format(top: 50));
    }

    [Fact]
    public void Records_input_shapes_on_request()
    {
        using var scope = Libtorch.NewScope();
        var x = Libtorch.Ones([3, 5]);
        var y = Libtorch.Ones([5, 2]);
        var profile = OpProfiler.Profile(() => x.Mm(y), recordShapes: true, thisThreadOnly: true);
        Assert.Contains(profile.Rows, r => r.Name == "aten::mm [3, 5] [5, 2]" && r.Calls == 1);
        var plain = OpProfiler.Profile(() => x.Mm(y), thisThreadOnly: true);
        Assert.Contains(plain.Rows, r => r.Name == "aten::mm");
    }

    [Fact]
    public void One_profiler_at_a_time_and_each_stops_once()
    {
        var first = OpProfiler.Start(thisThreadOnly: true);
        var e = Assert.Throws<TorchException>(() => OpProfiler.Start(thisThreadOnly: true));
        Assert.Contains("already running", e.Message);
        first.Stop();
        Assert.Throws<InvalidOperationException>(() => first.Stop());
        using (OpProfiler.Start(thisThreadOnly: true)) { }                                      // disposed without Stop: the next one starts
        using var again = OpProfiler.Start(thisThreadOnly: true);
        Assert.DoesNotContain(again.Stop().Rows, r => r.Name == "aten::mm");
    }
}

using System.Reflection;
using Micar.Torch;
using Xunit;

namespace Micar.Torch.Tests;

public class OpsTests
{
    [Fact]
    public void Every_wrapped_operator_exists_in_this_libtorch()
    {
        var missing = new List<string>();
        foreach (var f in typeof(Op).Assembly.GetType("Micar.Torch.Ops")!.GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var op = (Op)f.GetValue(null)!;
            try { Assert.Contains("(", op.Schema); }
            catch (TorchException e) { missing.Add($"{f.Name}: {e.Message}"); }
        }
        Assert.True(missing.Count == 0, string.Join("\n", missing));
    }

    [Fact]
    public void Version_threads_and_devices_are_reported()
    {
        Assert.Matches(@"^\d+\.\d+", Libtorch.Version);
        Assert.True(Libtorch.Threads >= 1);
        Assert.True(Libtorch.CudaDeviceCount >= 0);
        Assert.Contains("ATen", Libtorch.Config);
    }
}

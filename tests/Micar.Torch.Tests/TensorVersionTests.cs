using Micar.Torch;
using Xunit;

namespace Micar.Torch.Tests;

public class TensorVersionTests
{
    [Fact]
    public void In_place_operations_advance_the_version_and_views_share_it()
    {
        using var scope = Libtorch.NewScope();
        var t = Libtorch.Zeros([4]);
        long v0 = t.Version;
        using (var _ = t.Add(1)) Assert.Equal(v0, t.Version);                 // out of place: unchanged
        t.Add_(1);
        Assert.Equal(v0 + 1, t.Version);
        using (Autograd.NoGrad()) t.Copy_(Libtorch.Ones([4]));               // in place without gradient mode too
        Assert.Equal(v0 + 2, t.Version);
        t.Narrow(0, 1, 2).Fill_(3);                                           // through a view
        Assert.Equal(v0 + 3, t.Version);
        Assert.Equal(t.Version, t.Alias().Version);
    }
}

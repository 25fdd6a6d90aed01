using System.Diagnostics;
using Micar.Torch;
using Micar.Torch.Optim;
using Xunit;

namespace Micar.Torch.Tests;

public class ErrorAndLifetimeTests
{
    [Fact]
    public void Shape_mismatch_raises_with_libtorchs_explanation()
    {
        using var scope = Libtorch.NewScope();
        var a = Libtorch.Zeros([2, 3]);
        var b = Libtorch.Zeros([4, 5]);
        var e = Assert.Throws<TorchException>(() => a.Matmul(b));
        Assert.Contains("aten::matmul", e.Message);
        Assert.Contains("cannot be multiplied", e.Message);
        var e2 = Assert.Throws<TorchException>(() => a + Libtorch.Zeros([3, 2]));
        Assert.Contains("must match the size", e2.Message);
        var e3 = Assert.Throws<TorchException>(() => a.View(7));
        Assert.Contains("invalid for input of size 6", e3.Message);
    }

    [Fact]
    public void Use_after_dispose_raises_ObjectDisposedException()
    {
        var t = Libtorch.Zeros([2]);
        t.Dispose();
        Assert.True(t.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => t.Add(1));
        Assert.Throws<ObjectDisposedException>(() => t.Shape);
        t.Dispose(); // idempotent
        Assert.Equal("Tensor(disposed)", t.ToString());
    }

    [Fact]
    public void Unsupported_dtype_conversions_are_rejected_clearly()
    {
        using var scope = Libtorch.NewScope();
        var longs = Libtorch.Arange(3);
        var e = Assert.Throws<InvalidOperationException>(() => longs.ToArray<float>());
        Assert.Contains("int64", e.Message);
        Assert.Contains("float32", e.Message);
        var e2 = Assert.Throws<NotSupportedException>(() => Tensor.From<decimal>(new decimal[] { 1 }, 1));
        Assert.Contains("Decimal", e2.Message);
        Assert.Throws<FormatException>(() => DTypes.Parse("complex128"));
        Assert.Throws<FormatException>(() => Device.Parse("tpu:0"));
    }

    [Fact]
    public void Scopes_free_their_tensors_unless_moved_out()
    {
        Tensor kept, inner, dropped;
        using (var outer = Libtorch.NewScope())
        {
            using (var s = Libtorch.NewScope())
            {
                dropped = Libtorch.Ones([3]);
                inner = (dropped * 2).MoveToOuterScope();
                kept = (dropped * 3).DetachFromScope();
                Assert.Same(s, dropped.Scope);
                Assert.Same(outer, inner.Scope);
            }
            Assert.True(dropped.IsDisposed);
            Assert.False(inner.IsDisposed);
            Assert.Equal(new float[] { 2, 2, 2 }, inner.ToArray<float>());
        }
        Assert.True(inner.IsDisposed);
        Assert.False(kept.IsDisposed);
        Assert.Equal(new float[] { 3, 3, 3 }, kept.ToArray<float>());
        kept.Dispose();
    }

    [Fact]
    public void Two_threads_run_ops_concurrently_with_correct_results()
    {
        var results = new double[2];
        var threads = Enumerable.Range(0, 2).Select(k => new Thread(() =>
        {
            using var scope = Libtorch.NewScope();
            double acc = 0;
            for (int i = 0; i < 300; i++)
            {
                using var s = Libtorch.NewScope();
                var a = Libtorch.Full([32, 32], k + 1.0);
                acc += a.Matmul(a).Sum().Item() / 1000.0;
            }
            results[k] = acc;
        })).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        // (k+1)² · 32 per element of a 32×32 product, summed over 1024 elements, 300 times.
        Assert.Equal(300 * 1024 * 32 * 1.0 / 1000.0, results[0], 6);
        Assert.Equal(300 * 1024 * 32 * 4.0 / 1000.0, results[1], 6);
    }
}

/// <summary>Runs alone (no other test in parallel), so the process's resident memory reflects this test only.</summary>
[CollectionDefinition("memory", DisableParallelization = true)]
public class MemoryCollection { }

[Collection("memory")]
public class MemoryTests
{
    [Fact]
    public void Twenty_thousand_optimizer_steps_in_scopes_keep_memory_flat()
    {
        var w = Libtorch.Randn([64, 32], new Generator(1)).Mul(0.1).RequiresGrad_().DetachFromScope();
        var b = Libtorch.Zeros([64]).RequiresGrad_().DetachFromScope();
        using var opt = new AdamW([w, b], lr: 1e-3, amsgrad: true);
        var x = Libtorch.Randn([16, 32], new Generator(2)).DetachFromScope();
        var y = Libtorch.Randint(0, 64, [16], new Generator(3)).DetachFromScope();
        void Step()
        {
            using var s = Libtorch.NewScope();
            opt.ZeroGrad();
            var loss = F.CrossEntropy(F.Linear(x, w, b).Silu(), y);
            loss.Backward();
            opt.Step();
        }
        for (int i = 0; i < 2000; i++) Step(); // warm-up: allocator pools, JIT, lazy op handles
        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
        long before = Process.GetCurrentProcess().Refresh2().WorkingSet64;
        for (int i = 0; i < 20000; i++) Step();
        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
        long after = Process.GetCurrentProcess().Refresh2().WorkingSet64;
        double growth = (after - before) / (double)before;
        Assert.True(growth < 0.05, $"resident memory grew {growth:P1} ({before >> 20} MiB → {after >> 20} MiB)");
    }

}

[Collection("memory")]
public class HostCacheTests
{
    static unsafe IntPtr Address(Tensor t)
    {
        fixed (float* p = t.AsSpan<float>()) return (IntPtr)p;
    }

    [Fact]
    public void Large_blocks_are_reused_and_limit_zero_gives_them_back()
    {
        long old = Libtorch.HostCacheLimit;
        try
        {
            Libtorch.HostCacheLimit = 64L << 20;
            const long n = 3L << 18;                                   // 3 MiB of float32: above the 1 MiB threshold
            IntPtr first;
            using (var a = Libtorch.Full([n], 7.0)) first = Address(a);
            Assert.True(Libtorch.HostCacheStats().HeldBytes >= n * 4, "the freed block is held");
            using (var b = Libtorch.Ones([n]))
            {
                Assert.Equal(first, Address(b));                       // same rounded size: the cached block comes back
                Assert.Equal(n, (long)b.Sum().Item());                 // and is fully rewritten
            }
            using (var small = Libtorch.Ones([1000])) Assert.Equal(1000, small.Sum().Item());
            Libtorch.HostCacheLimit = 0;
            Assert.Equal(0, Libtorch.HostCacheStats().HeldBytes);
            Assert.Equal(0, Libtorch.HostCacheLimit);
            using (var c = Libtorch.Ones([n])) Assert.Equal(n, (long)c.Sum().Item());
            Assert.Equal(0, Libtorch.HostCacheStats().HeldBytes);      // nothing kept once the limit is 0
            Assert.Throws<ArgumentOutOfRangeException>(() => Libtorch.HostCacheLimit = -1);
        }
        finally { Libtorch.HostCacheLimit = old; }
    }

    [Fact]
    public void A_smaller_request_takes_a_cached_block_up_to_twice_its_size_and_gives_the_tail_back() => WithFreshCache(() =>
    {
        const long big = 29L << 18, small = 19L << 18, tiny = 5L << 18;          // 29, 19 and 5 MiB of float32
        IntPtr first;
        using (var a = Libtorch.Ones([big])) first = Address(a);
        long fresh = Libtorch.HostCacheStats().FreshAllocations;
        Assert.True(Libtorch.HostCacheStats().HeldBytes >= big * 4);
        using (var b = Libtorch.Full([small], 2.0))
        {
            Assert.Equal(first, Address(b));                                      // 29 MiB ≤ 2 × 19 MiB: reused
            Assert.Equal(fresh, Libtorch.HostCacheStats().FreshAllocations);
            Assert.True(Libtorch.HostCacheStats().HeldBytes < (big - small) * 4, "the tail was given back");
            Assert.Equal(2.0 * small, b.Sum().Item());
        }
        using (var c = Libtorch.Ones([tiny])) Assert.NotEqual(first, Address(c));     // 19 MiB > 2 × 5 MiB: not taken
        Assert.Equal(fresh + 1, Libtorch.HostCacheStats().FreshAllocations);
    });

    /// <summary>Runs <paramref name="body"/> with a 256 MiB cache limit, the peak restarted (nothing cached), and the
    /// old limit restored afterwards.</summary>
    static void WithFreshCache(Action body)
    {
        long old = Libtorch.HostCacheLimit;
        try
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            Libtorch.HostCacheLimit = 256L << 20;
            Libtorch.ResetHostCachePeak();
            body();
        }
        finally { Libtorch.HostCacheLimit = old; }
    }

    [Fact]
    public void A_new_size_evicts_cached_blocks_instead_of_passing_the_high_water_mark() => WithFreshCache(() =>
    {
        var start = Libtorch.HostCacheStats();                                       // peak = what is live now; nothing cached
        Assert.Equal(0, start.HeldBytes);
        Assert.Equal(start.LiveBytes, start.PeakLiveBytes);
        const long a = 37L << 18, b = 41L << 18;                                  // 37 MiB and 41 MiB of float32 (sizes no other test uses)
        using (var t = Libtorch.Ones([a])) Assert.Equal(a, (long)t.Sum().Item());
        var afterA = Libtorch.HostCacheStats();
        Assert.True(afterA.HeldBytes >= a * 4, "the 37 MiB block is cached");
        Assert.True(afterA.PeakLiveBytes >= start.LiveBytes + a * 4);
        using (var t = Libtorch.Ones([b]))
        {
            // Serving 41 MiB fresh next to a cached 37 MiB would pass the 37 MiB peak: the cached block goes first.
            var during = Libtorch.HostCacheStats();
            Assert.True(during.HeldBytes < a * 4, $"held {during.HeldBytes} bytes while the new block is live");
            Assert.True(during.LiveBytes + during.HeldBytes <= during.PeakLiveBytes);
            Assert.Equal(b, (long)t.Sum().Item());
        }
        long fresh = Libtorch.HostCacheStats().FreshAllocations;
        using (var t = Libtorch.Zeros([b])) Assert.Equal(0, t.Sum().Item());
        Assert.Equal(fresh, Libtorch.HostCacheStats().FreshAllocations);            // the 41 MiB block came back from the cache
    });
}

static class ProcessExtensions
{
    public static Process Refresh2(this Process p) { p.Refresh(); return p; }
}

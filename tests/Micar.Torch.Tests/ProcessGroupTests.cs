using Micar.Torch;
using Micar.Torch.Distributed;
using Xunit;

namespace Micar.Torch.Tests;

/// <summary>c10d process groups over Gloo, two ranks on two threads of this process meeting in a file store.</summary>
public class ProcessGroupTests
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Runs <paramref name="body"/> as ranks 0 … size−1 of one Gloo group, each on its own thread.</summary>
    static T[] OnRanks<T>(int size, Func<ProcessGroup, T> body, TimeSpan? timeout = null)
    {
        var path = Path.Combine(Path.GetTempPath(), "micar-pg-" + Guid.NewGuid().ToString("N"));
        try
        {
            var results = new T[size];
            var errors = new Exception?[size];
            var threads = Enumerable.Range(0, size).Select(rank => new Thread(() =>
            {
                try
                {
                    using var store = Store.File(path, size, timeout ?? Timeout);
                    using var group = ProcessGroup.Gloo(store, rank, size, timeout ?? Timeout, "127.0.0.1");
                    using var scope = Libtorch.NewScope();
                    results[rank] = body(group);
                }
                catch (Exception e) { errors[rank] = e; }
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            foreach (var e in errors) if (e is not null) throw new AggregateException(e);
            return results;
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Collectives_sum_average_broadcast_gather_and_meet()
    {
        Assert.True(Store.Available, "the shim was built without Gloo");
        var r = OnRanks(2, g =>
        {
            var x = Tensor.From<float>([g.Rank + 1f, 10f * (g.Rank + 1)], [2]);
            g.AllReduce(x);
            var avg = Tensor.From<float>([g.Rank * 2f], [1]);
            g.AllReduce(avg, ReduceOp.Avg);
            var max = Tensor.From<long>([g.Rank * 5L], [1]);
            g.AllReduce(max, ReduceOp.Max);
            var b = Tensor.From<float>([g.Rank == 0 ? 7f : -1f, g.Rank == 0 ? 8f : -1f], [2]);
            g.Broadcast([b], root: 0);
            var gathered = g.AllGather(Tensor.From<float>([g.Rank * 3f], [1]));
            g.Barrier();
            return (Sum: x.ToArray<float>(), Avg: avg.ToArray<float>()[0], Max: max.ToArray<long>()[0], Broadcast: b.ToArray<float>(),
                Gathered: gathered.Select(t => t.ToArray<float>()[0]).ToArray(), g.Rank, g.Size);
        });
        foreach (var rank in r)
        {
            Assert.Equal(new[] { 3f, 30f }, rank.Sum);
            Assert.Equal(1f, rank.Avg);
            Assert.Equal(5L, rank.Max);
            Assert.Equal(new[] { 7f, 8f }, rank.Broadcast);
            Assert.Equal(new[] { 0f, 3f }, rank.Gathered);
            Assert.Equal(2, rank.Size);
        }
        Assert.Equal(new[] { 0, 1 }, r.Select(x => x.Rank));
    }

    [Fact]
    public void A_peer_that_leaves_ends_the_collective_with_an_error_not_a_hang()
    {
        var started = DateTime.UtcNow;
        var outcome = OnRanks(2, g =>
        {
            g.Barrier();                                      // both are connected (a peer leaving during the join fails the join)
            if (g.Rank == 1) return "left";                  // leaves the group (disposed) without taking part
            var e = Assert.Throws<DistributedException>(() => g.AllReduce(Tensor.From<float>([1f], [1])));
            return e.Message;
        }, TimeSpan.FromSeconds(3));
        Assert.StartsWith("allreduce on rank 0", outcome[0]);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(25), $"took {DateTime.UtcNow - started}");
    }

    [Fact]
    public void Bad_arguments_are_refused_before_any_rendezvous()
    {
        using var store = Store.File(Path.Combine(Path.GetTempPath(), "micar-pg-" + Guid.NewGuid().ToString("N")), 1, Timeout);
        Assert.Throws<ArgumentOutOfRangeException>(() => ProcessGroup.Gloo(store, 2, 2, Timeout));
        Assert.Throws<ArgumentOutOfRangeException>(() => Store.Tcp("127.0.0.1", 0, 2, false, Timeout));     // a client needs the port
        Assert.Throws<ArgumentOutOfRangeException>(() => Store.Tcp("127.0.0.1", 70000, 2, true, Timeout));
        using var alone = ProcessGroup.Gloo(store, 0, 1, Timeout, "127.0.0.1");
        var x = Tensor.From<float>([4f], [1]);
        alone.AllReduce(x, ReduceOp.Avg);
        Assert.Equal(4f, x.ToArray<float>()[0]);
    }

    [Fact]
    public void A_tcp_store_served_on_port_0_listens_where_the_system_chose_and_clients_reach_it()
    {
        using var server = Store.Tcp("127.0.0.1", 0, 2, isServer: true, Timeout);
        int port = server.Port;
        Assert.InRange(port, 1, 65535);
        using var client = Store.Tcp("127.0.0.1", port, 2, isServer: false, Timeout);
        Assert.Equal(port, client.Port);
        client.Set("k", [1, 2, 3]);
        Assert.Equal(new byte[] { 1, 2, 3 }, server.Get("k"));
    }
}

using Micar.Data.Loading;
using Micar.Layers;
using Micar.Model;
using Micar.Nn;
using Micar.Spec;
using Micar.Tests.Model;
using Micar.Torch;
using Micar.Torch.Distributed;
using Micar.Training;
using Xunit;

namespace Micar.Tests.Training;

/// <summary>Data-parallel training: ranks on threads of this process, meeting in a file store over loopback Gloo.</summary>
public class DataParallelTests
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>The fixture model without dropout and balance term, so one process and two must agree to float rounding.
    /// Weighted combine (the paper's): with the official sum combine Σ ŝ = 1 exactly, so the router's cross-entropy
    /// gradient is rounding noise, which AdamW's normalisation turns into updates that depend on summation order.</summary>
    static ModelSpec Spec(MoeDispatch dispatch) =>
        ModelFixture.Spec(MoeCombine.Weighted, dispatch) with { Moe = ModelFixture.Spec(MoeCombine.Weighted, dispatch).Moe with { BalanceLossWeight = 0 } };

    /// <summary>A batch of 4 images and reports of different lengths (so ranks hold different token counts).</summary>
    static (Tensor Images, Tensor Ids, Tensor Mask, Tensor Labels) Batch(int step)
    {
        var g = new Generator((ulong)(100 + step));
        var images = Libtorch.Randn([4, 3, 64, 64], g);
        var ids = Libtorch.Randint(4, 50, [4, 12], g);
        var lengths = new long[] { 12, 5, 9, 3 };
        var mask = Tensor.From<long>([.. Enumerable.Range(0, 48).Select(i => i % 12 < lengths[(i / 12 + step) % 4] ? 1L : 0L)], [4, 12]);
        var labels = ids.Mul(mask);                                        // pad label 0 where the mask is 0
        return (images, ids.Mul(mask), mask, labels);
    }

    /// <summary>Trains <paramref name="steps"/> steps on the rows <paramref name="rows"/> of each batch; the final parameters.</summary>
    static (Dictionary<string, float[]> Params, Dictionary<string, float[]> Grads) Train(ModelSpec spec, int steps, long[] rows, DataParallel? dp,
        bool freezeVision = true)
    {
        var model = spec.Compile();
        using var scope = Libtorch.NewScope();
        using var store = ParamInit.Create(model, new Generator(dp is null ? 3UL : 3UL + (ulong)dp.Rank));   // ranks start apart
        var net = new CaptionNet(model, store);
        using var optimizer = Trainer.OfficialOptimizer(store, spec.Training, freezeVision);
        if (freezeVision)
            foreach (var k in store.Keys.Where(k => k.StartsWith("vis_enc.") && store.IsTrainable(k))) store[k].RequiresGrad = false;
        dp?.BroadcastState(store);                                           // … and meet at rank 0's parameters
        var step = new TrainStep(net, optimizer) { FreezeVision = freezeVision, Parallel = dp };
        var pick = Tensor.From<long>(rows, [rows.Length]);
        for (int s = 0; s < steps; s++)
        {
            using var stepScope = Libtorch.NewScope();
            var (images, ids, mask, labels) = Batch(s);
            step.Run(images.IndexSelect(0, pick), null, ids.IndexSelect(0, pick), mask.IndexSelect(0, pick), labels.IndexSelect(0, pick),
                ForwardContext.Train(new Generator(9)));
        }
        if (dp is { Overlap: true } && steps > 0)
            Assert.True(dp.ReducerBuckets > 1, $"the overlapped reduction ran {dp.ReducerBuckets} bucket(s)");   // c10d's Reducer did the sums
        return (store.Entries().ToDictionary(e => e.Key, e => e.Value.Detach().To(DType.Float32).ToArray<float>()),
            store.Trainable().Where(e => e.Value.Grad is not null).ToDictionary(e => e.Key, e => e.Value.Grad!.ToArray<float>()));
    }

    static T[] OnRanks<T>(int size, Func<DataParallel, T> body, bool overlap = true, bool syncBatchNorm = false) =>
        OnRanks(size, body, g => new DataParallel(g) { BucketBytes = 64 << 10, Overlap = overlap, SyncBatchNorm = syncBatchNorm });   // small buckets: several per step

    static T[] OnRanks<T, TState>(int size, Func<TState, T> body, Func<ProcessGroup, TState> make) where TState : IDisposable
    {
        var path = Path.Combine(Path.GetTempPath(), "micar-ddp-" + Guid.NewGuid().ToString("N"));
        var results = new T[size];
        var errors = new Exception?[size];
        var threads = Enumerable.Range(0, size).Select(rank => new Thread(() =>
        {
            try
            {
                using var store = Store.File(path, size, Timeout);
                using var group = ProcessGroup.Gloo(store, rank, size, Timeout, "127.0.0.1");
                using var dp = make(group);
                results[rank] = body(dp);
            }
            catch (Exception e) { errors[rank] = e; }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        File.Delete(path);
        foreach (var e in errors) if (e is not null) throw new AggregateException(e);
        return results;
    }

    /// <summary>Both reductions (c10d's Reducer during backward; bucket by bucket after it) on both expert dispatches:
    /// sparse dispatch leaves experts without gradient on one rank and not the other.</summary>
    [Theory]
    [InlineData(MoeDispatch.Dense, true)]
    [InlineData(MoeDispatch.Sparse, true)]
    [InlineData(MoeDispatch.Sparse, false)]
    public void Two_ranks_with_batch_b_give_the_parameters_of_one_process_with_batch_2b(MoeDispatch dispatch, bool overlap)
    {
        var spec = Spec(dispatch);
        // One step: the summed gradients of two ranks are the one-process gradients, to float rounding.
        var (_, g1) = Train(spec, 1, [0, 1, 2, 3], null);
        var (_, g2) = OnRanks(2, dp => Train(spec, 1, [dp.Rank, dp.Rank + 2], dp), overlap)[0];
        Assert.Equal(g1.Keys.Order(), g2.Keys.Order());                     // the same parameters got gradients
        double gradScale = g1.Values.SelectMany(v => v).Max(v => Math.Abs(v));
        double gradDiff = g1.Max(kv => kv.Value.Select((v, i) => Math.Abs(v - g2[kv.Key][i])).Max());
        // Three steps: the ranks hold identical parameters, within rounding of the one-process ones.
        var (single, _) = Train(spec, 3, [0, 1, 2, 3], null);
        var ranks = OnRanks(2, dp => Train(spec, 3, [dp.Rank, dp.Rank + 2], dp).Params, overlap);
        var (initial, _) = Train(spec, 0, [0], null);
        double worst = 0, moved = 0;
        foreach (var (key, expected) in single)
            for (int i = 0; i < expected.Length; i++)
            {
                worst = Math.Max(worst, Math.Abs(expected[i] - ranks[0][key][i]));
                moved = Math.Max(moved, Math.Abs(initial[key][i] - expected[i]));
                Assert.Equal(ranks[0][key][i], ranks[1][key][i]);
            }
        Console.WriteLine($"DDP equivalence ({dispatch}, overlap {overlap}): gradients max |diff| {gradDiff:g3} of max |g| {gradScale:g3}; " +
            $"parameters after 3 steps max |diff| {worst:g3}, moved up to {moved:g3}");
        Assert.True(gradDiff <= 1e-5 * gradScale, $"gradients differ by {gradDiff:g3} (max |g| {gradScale:g3})");
        Assert.True(moved > 1e-4, "training did not change the parameters");
        Assert.True(worst < 2e-6, $"two ranks differ from one process by {worst:g3}");
    }

    /// <summary>SyncBatchNorm on ranks holding 3 and 1 rows: each rank's output, the summed parameter gradients, the input
    /// gradients and the running statistics are those of one batch norm over the 4 rows; per-rank statistics are not.</summary>
    [Fact]
    public void Sync_batch_norm_over_uneven_shards_is_batch_norm_over_the_global_batch()
    {
        const int C = 5;
        var g = new Generator(21);
        var x = Libtorch.Randn([4, C, 3, 2], g).Mul(3).Add(1.5);
        var dy = Libtorch.Randn([4, C, 3, 2], g);
        var weight = Libtorch.Randn([C], g);
        var bias = Libtorch.Randn([C], g);
        var bn = new BatchNorm2d(C);
        (float[] Y, float[] Dx, float[] Dw, float[] Db, float[] Mean, float[] Var) Run(Tensor rows, ProcessGroup? group)
        {
            using var store = new ParamStore();
            store.Set("weight", weight.Clone().RequiresGrad_(), trainable: true);
            store.Set("bias", bias.Clone().RequiresGrad_(), trainable: true);
            store.Set("running_mean", Libtorch.Zeros([C]), trainable: false);
            store.Set("running_var", Libtorch.Ones([C]), trainable: false);
            var input = x.IndexSelect(0, rows).RequiresGrad_();
            var y = bn.Apply(store.View(""), input, new ForwardContext { Training = true, SyncBatchNorm = group });
            y.Mul(dy.IndexSelect(0, rows)).Sum().Backward();
            return (y.Detach().ToArray<float>(), input.Grad!.ToArray<float>(), store["weight"].Grad!.ToArray<float>(),
                store["bias"].Grad!.ToArray<float>(), store["running_mean"].ToArray<float>(), store["running_var"].ToArray<float>());
        }
        var one = Run(Tensor.From<long>([0, 1, 2, 3], [4]), null);
        long[][] shards = [[0, 1, 2], [3]];
        var ranks = OnRanks(2, h => Run(Tensor.From<long>(shards[h.Rank], [shards[h.Rank].Length]), h.Group), group => new Holder(group));
        var alone = Run(Tensor.From<long>(shards[1], [1]), null);            // rank 1's own statistics: one row
        int split = 3 * C * 3 * 2;
        static double MaxDiff(float[] a, float[] b) => a.Select((v, i) => (double)Math.Abs(v - b[i])).Max();
        Assert.True(MaxDiff(one.Y[..split], ranks[0].Y) < 1e-5 && MaxDiff(one.Y[split..], ranks[1].Y) < 1e-5, "outputs differ");
        Assert.True(MaxDiff(one.Dx[..split], ranks[0].Dx) < 1e-5 && MaxDiff(one.Dx[split..], ranks[1].Dx) < 1e-5, "input gradients differ");
        Assert.True(MaxDiff(one.Dw, [.. ranks[0].Dw.Zip(ranks[1].Dw, (a, b) => a + b)]) < 1e-4, "weight gradients differ");
        Assert.True(MaxDiff(one.Db, [.. ranks[0].Db.Zip(ranks[1].Db, (a, b) => a + b)]) < 1e-4, "bias gradients differ");
        foreach (var r in ranks)
        {
            Assert.True(MaxDiff(one.Mean, r.Mean) < 1e-6, "running means differ");
            Assert.True(MaxDiff(one.Var, r.Var) < 1e-5, "running variances differ");
        }
        Assert.True(MaxDiff(one.Y[split..], alone.Y) > 0.1, "the check cannot tell per-rank statistics from global ones");
    }

    /// <summary>The whole model with its vision encoder training (batch norms in training mode): two ranks with
    /// SyncBatchNorm give one process's gradients and running statistics; without it the statistics differ.</summary>
    [Fact]
    public void Sync_batch_norm_makes_two_ranks_train_the_vision_encoder_as_one_process()
    {
        var spec = Spec(MoeDispatch.Dense);
        var (p1, g1) = Train(spec, 1, [0, 1, 2, 3], null, freezeVision: false);
        var (p2, g2) = OnRanks(2, dp => Train(spec, 1, [dp.Rank * 2, dp.Rank * 2 + 1], dp, freezeVision: false), syncBatchNorm: true)[0];
        var (p3, _) = OnRanks(2, dp => Train(spec, 1, [dp.Rank * 2, dp.Rank * 2 + 1], dp, freezeVision: false))[0];
        Assert.Equal(g1.Keys.Order(), g2.Keys.Order());
        Assert.Contains(g1.Keys, k => k.StartsWith("vis_enc."));
        double gradScale = g1.Values.SelectMany(v => v).Max(v => Math.Abs(v));
        double gradDiff = g1.Max(kv => kv.Value.Select((v, i) => Math.Abs(v - g2[kv.Key][i])).Max());
        var stats = p1.Keys.Where(k => k.EndsWith("running_var")).ToList();
        double statDiff = stats.Max(k => p1[k].Select((v, i) => Math.Abs(v - p2[k][i])).Max());
        double perRankDiff = stats.Max(k => p1[k].Select((v, i) => Math.Abs(v - p3[k][i])).Max());
        Console.WriteLine($"SyncBatchNorm equivalence: gradients max |diff| {gradDiff:g3} of max |g| {gradScale:g3}; running variances " +
            $"max |diff| {statDiff:g3} (per-rank statistics: {perRankDiff:g3})");
        Assert.True(gradDiff <= 1e-4 * gradScale, $"gradients differ by {gradDiff:g3} (max |g| {gradScale:g3})");
        Assert.True(statDiff < 1e-5, $"running variances differ by {statDiff:g3}");
        Assert.True(perRankDiff > 100 * Math.Max(statDiff, 1e-7), $"per-rank statistics ({perRankDiff:g3}) are not told apart");
    }

    sealed class Holder(ProcessGroup group) : IDisposable
    {
        public ProcessGroup Group { get; } = group;
        public int Rank => Group.Rank;
        public void Dispose() { }
    }

    [Fact]
    public void Shards_of_an_epoch_cover_its_order_and_batch_s_of_all_ranks_is_batch_s_of_one_process()
    {
        var order = LoaderSeed.Permutation(24, 7, 1);
        var shards = Enumerable.Range(0, 3).Select(r => LoaderSeed.Shard(order, r, 3)).ToArray();
        Assert.All(shards, s => Assert.Equal(8, s.Length));
        for (int s = 0; s < 4; s++)                                           // per-rank batch 2, global batch 6
            Assert.Equal(order[(s * 6)..(s * 6 + 6)].Order(), shards.SelectMany(x => x[(s * 2)..(s * 2 + 2)]).Order());
        var padded = Enumerable.Range(0, 2).Select(r => LoaderSeed.Shard([5, 6, 7], r, 2)).ToArray();
        Assert.Equal(new[] { 5, 7 }, padded[0]);
        Assert.Equal(new[] { 6, 5 }, padded[1]);                              // padded with the order's beginning
    }
}

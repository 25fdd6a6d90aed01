using Micar.Layers;
using Micar.Model;
using Micar.Nn;
using Micar.Spec;
using Micar.Torch;
using Micar.Torch.Optim;
using Micar.Training;
using Xunit;

namespace Micar.Tests.Model;

/// <summary>Expert-choice routing (<c>moe.router: expert-choice</c>): each expert takes its capacity of tokens.</summary>
public class ExpertChoiceRouterTests
{
    static ParamStore Gate(int experts, int d, ulong seed)
    {
        var store = new ParamStore();
        store.Set("gate.weight", Libtorch.Randn([experts, d], new Generator(seed)), trainable: true);
        return store;
    }

    [Theory]
    [InlineData(10, 4, 1, 3)]    // ⌈10·1/4⌉ = 3 tokens per expert
    [InlineData(10, 4, 2, 5)]
    [InlineData(3, 8, 2, 1)]
    [InlineData(5, 2, 2, 5)]     // capacity capped at all tokens
    public void Every_expert_takes_its_capacity_of_highest_probability_tokens(int n, int experts, int k, int capacity)
    {
        using var scope = Libtorch.NewScope();
        var router = new ExpertChoiceRouter(8, experts, k);
        Assert.Equal(capacity, router.Capacity(n));
        using var store = Gate(experts, 8, 1);
        var (probs, scores, chosen) = router.Route(store.View(""), Libtorch.Randn([n, 8], new Generator(2)), ForwardContext.Eval);
        Assert.Equal(new long[] { n, experts }, chosen.Shape);
        var p = probs.ToArray<float>();
        var s = scores.ToArray<float>();
        var c = chosen.ToArray<long>();
        for (int e = 0; e < experts; e++)
        {
            var mine = Enumerable.Range(0, n).Where(t => c[t * experts + e] == e).ToList();
            Assert.Equal(capacity, mine.Count);
            Assert.All(Enumerable.Range(0, n), t => Assert.True(c[t * experts + e] == e || c[t * experts + e] == -1));
            // The chosen tokens have the highest probabilities for this expert; weights are those probabilities.
            float lowestChosen = mine.Min(t => p[t * experts + e]);
            Assert.All(Enumerable.Range(0, n).Except(mine), t => Assert.True(p[t * experts + e] <= lowestChosen));
            Assert.All(Enumerable.Range(0, n), t => Assert.Equal(mine.Contains(t) ? p[t * experts + e] : 0f, s[t * experts + e]));
        }
    }

    [Theory]
    [InlineData(MoeCombine.Weighted)]
    [InlineData(MoeCombine.Sum)]
    public void The_moe_output_is_the_chosen_experts_weighted_and_sparse_equals_dense(MoeCombine combine)
    {
        using var scope = Libtorch.NewScope();
        using var noGrad = Autograd.NoGrad();
        var moe = new Moe(16, 32, 4, 2, Activation.Silu, 0, combine, MoeDispatch.Dense, 0.01) { RouterKind = ExpertChoiceRouter.KindName };
        Assert.Empty(moe.Validate());
        Assert.IsType<ExpertChoiceRouter>(moe.Router);
        using var store = ParamInit.Create(moe, new Generator(3));
        var p = store.View("");
        var x = Libtorch.Randn([2, 5, 16], new Generator(4));
        var dense = moe.ApplyWithBalance(p, x, ForwardContext.Eval);
        var sparse = (moe with { Dispatch = MoeDispatch.Sparse }).ApplyWithBalance(p, x, ForwardContext.Eval);
        Assert.True(dense.Output.AllClose(sparse.Output, 1e-5, 1e-6));
        Assert.Equal(dense.BalanceLoss.Item(), sparse.BalanceLoss.Item(), 9);
        // By hand: Σ over the experts that chose the token of weight · expert(token); Sum combine: (Σ weights) · Σ outputs.
        var tokens = x.Reshape(-1, 16);
        var (_, scores, chosen) = moe.Router.Route(p.At("gate"), tokens, ForwardContext.Eval);
        var c = chosen.ToArray<long>();
        var w = scores.ToArray<float>();
        var expected = Libtorch.ZerosLike(tokens);
        for (int t = 0; t < 10; t++)
        {
            double total = Enumerable.Range(0, 4).Sum(e => (double)w[t * 4 + e]);
            for (int e = 0; e < 4; e++)
                if (c[t * 4 + e] == e)
                {
                    var y = moe.Expert.Apply(p.At($"experts.{e}"), tokens.Narrow(0, t, 1), ForwardContext.Eval);
                    expected.Narrow(0, t, 1).Add_(y.Mul(combine == MoeCombine.Weighted ? w[t * 4 + e] : total));
                }
        }
        Assert.True(expected.AllClose(dense.Output.Reshape(-1, 16), 1e-5, 1e-6));
    }

    [Fact]
    public void A_spec_with_moe_router_expert_choice_trains_and_every_expert_gets_the_same_load()
    {
        using var scope = Libtorch.NewScope();
        var spec = ModelFixture.Spec() with { Moe = ModelFixture.Spec().Moe with { Router = ExpertChoiceRouter.KindName } };
        Assert.Empty(spec.Validate());
        var model = spec.Compile();
        // Same parameters as top-k routing: a checkpoint of one loads under the other.
        Assert.Equal(ModelFixture.Spec().Compile().Parameters().Select(q => (q.Name, q.Shape)), model.Parameters().Select(q => (q.Name, q.Shape)));
        using var store = ParamInit.Create(model, new Generator(5));
        var net = new CaptionNet(model, store);
        using var optimizer = Trainer.OfficialOptimizer(store, spec.Training);
        var step = new TrainStep(net, optimizer);
        var g = new Generator(6);
        var image = Libtorch.Randn([2, 3, 64, 64], g);
        var ids = Libtorch.Randint(0, 50, [2, 12], g);
        var mask = Libtorch.Ones([2, 12], DType.Int64);
        var before = store["decoder.layers.0.moe.gate.gate.weight"].Clone();
        using var recorder = new TraceRecorder();
        var losses = step.Run(image, null, ids, mask, ids, new ForwardContext { Training = true, Rng = g, Trace = recorder });
        Assert.True(double.IsFinite(losses.Loss.Item()));
        Assert.False(before.Equal(store["decoder.layers.0.moe.gate.gate.weight"]), "the gate was not updated");
        // 24 tokens, 4 experts, capacity factor 2: every expert runs on exactly 12 tokens.
        foreach (var (_, load) in recorder.Of("routing.load"))
            Assert.Equal(new long[] { 12, 12, 12, 12 }, load.ToArray<long>());
    }
}

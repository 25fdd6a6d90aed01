using Micar.Layers;
using Micar.Model;
using Micar.Spec;
using Micar.Torch;
using Xunit;
using Micar.Nn;

namespace Micar.Tests.Model;


/// <summary>Every validated description field reaches the forward pass: a non-default value changes the output (and
/// equals a reference computed with plain tensor ops where that is cheap). Defaults are covered by the parity tests.</summary>
public class HonouredFieldsTests
{
    static void Close(Tensor expected, Tensor actual, double tol, string what)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        double d = (expected.To(DType.Float64) - actual.To(DType.Float64)).Abs().Max().Item();
        Assert.True(d <= tol, $"{what}: max abs difference {d:g3} > {tol:g3}");
    }

    static void Differ(Tensor a, Tensor b, string what)
    {
        Assert.Equal(a.Shape, b.Shape);
        double d = (a.To(DType.Float64) - b.To(DType.Float64)).Abs().Max().Item();
        Assert.True(d > 1e-4, $"{what}: outputs differ by only {d:g3}");
    }

    static CaptionNet Net(CaptionModel model) =>
        new(model, DeterministicWeights.Store(model.Parameters().Select(p => (p.Name, p.Shape.ToArray()))));

    static (Tensor Image, Tensor Ids) Inputs()
    {
        var g = new Generator(7);
        return (Libtorch.Randn([1, 3, 64, 64], g), Libtorch.Randint(1, 50, [1, 6], g));
    }

    static Tensor Logits(CaptionModel model)
    {
        var (image, ids) = Inputs();
        using var noGrad = Autograd.NoGrad();
        return Net(model).Forward(image, ids, null, ForwardContext.Eval).Logits;
    }

    static CaptionModel WithEps(CaptionModel m, string site, double eps) => site switch
    {
        "proj" => m with { Proj = new Sequential(((RmsNorm)m.Proj.Items[0]) with { Eps = eps }, m.Proj.Items[1]) },
        "gen_logits" => m with { GenLogits = new Sequential(((RmsNorm)m.GenLogits.Items[0]) with { Eps = eps }, m.GenLogits.Items[1]) },
        "decoder.norm_sa" => m with { Decoder = new Decoder(ValueList.From(m.Decoder.Blocks.Select(b => b with { NormSa = b.NormSa with { Eps = eps } }))) },
        "decoder.norm_moe" => m with { Decoder = new Decoder(ValueList.From(m.Decoder.Blocks.Select(b => b with { NormFf = b.NormFf with { Eps = eps } }))) },
        "encoder.norm_sa" => m with { Encoder = new Encoder(ValueList.From(m.Encoder!.Blocks.Select(b => b with { NormSa = b.NormSa with { Eps = eps } }))) },
        "encoder.norm_ff" => m with { Encoder = new Encoder(ValueList.From(m.Encoder!.Blocks.Select(b => b with { NormFf = b.NormFf with { Eps = eps } }))) },
        _ => throw new ArgumentException(site),
    };

    [Fact]
    public void RmsNorm_eps_is_the_formula_with_that_eps()
    {
        using var scope = Libtorch.NewScope();
        var g = new Generator(1);
        var x = Libtorch.Randn([2, 3, 8], g).Mul(0.05);
        var w = Libtorch.Randn([8], g);
        var reference = x.Mul(x.Pow(2).Mean(-1, keepDim: true).Add(1e-2).Rsqrt()).Mul(w);
        using var store = new ParamStore();
        store.Set("weight", w.Clone(), trainable: false);
        var p = store.View("");
        Close(reference, new RmsNorm(8, Eps: 1e-2).Apply(p, x, ForwardContext.Eval), 1e-6, "RMSNorm eps 1e-2");
        Differ(reference, new RmsNorm(8).Apply(p, x, ForwardContext.Eval), "RMSNorm eps 1e-2 against 1e-6");
    }

    [Theory]
    [InlineData("proj")]
    [InlineData("gen_logits")]
    [InlineData("decoder.norm_sa")]
    [InlineData("decoder.norm_moe")]
    [InlineData("encoder.norm_sa")]
    [InlineData("encoder.norm_ff")]
    public void RmsNorm_eps_of_each_model_norm_changes_the_logits(string site)
    {
        // A huge eps: the attention's own down–norm–up RMSNorm cancels any per-token scale norm_sa applies, so only a
        // norm_sa output shrunk below that inner norm's eps (1e-6) shows in the logits.
        using var scope = Libtorch.NewScope();
        var model = ModelFixture.Spec().Compile();
        Differ(Logits(model), Logits(WithEps(model, site, 1e12)), $"{site} eps 1e12");
    }

    /// <summary>A BN prefix with running statistics unlike the defaults (mean ≠ 0, var ≠ 1).</summary>
    static ParamView BatchNormParams(int channels)
    {
        var g = new Generator(3);
        var store = new ParamStore();
        store.Set("bn.weight", Libtorch.Randn([channels], g), true);
        store.Set("bn.bias", Libtorch.Randn([channels], g), true);
        store.Set("bn.running_mean", Libtorch.Randn([channels], g), false);
        store.Set("bn.running_var", Libtorch.Rand([channels], g).Add(0.5), false);
        store.Set("bn.num_batches_tracked", Libtorch.Zeros([], DType.Int64), false);
        return store.View("bn");
    }

    static Tensor PerChannel(Tensor v) => v.Reshape(1, -1, 1, 1);

    [Fact]
    public void BatchNorm_eps_is_the_eval_formula_with_that_eps()
    {
        using var scope = Libtorch.NewScope();
        var p = BatchNormParams(3);
        var x = Libtorch.Randn([2, 3, 4, 5], new Generator(4));
        using var noGrad = Autograd.NoGrad();
        var reference = x.Sub(PerChannel(p["running_mean"])).Div(PerChannel(p["running_var"].Add(0.5)).Sqrt())
            .Mul(PerChannel(p["weight"])).Add(PerChannel(p["bias"]));
        var y = new BatchNorm2d(3, Eps: 0.5).Apply(p, x, ForwardContext.Eval);
        Close(reference, y, 1e-5, "BatchNorm eps 0.5");
        Differ(y, new BatchNorm2d(3).Apply(p, x, ForwardContext.Eval), "BatchNorm eps 0.5 against 1e-5");
    }

    /// <summary>torch: running = (1 − m)·running + m·batch statistic, the variance unbiased.</summary>
    static (Tensor Mean, Tensor Var) Updated(Tensor mean, Tensor var, Tensor x, double m)
    {
        var flat = x.Transpose(0, 1).Reshape(x.Size(1), -1);
        return (mean.Mul(1 - m).Add(flat.Mean(1).Mul(m)), var.Mul(1 - m).Add(flat.Var(1, unbiased: true).Mul(m)));
    }

    [Theory]
    [InlineData(null, 0.3)]
    [InlineData(1.0, 1.0)]   // the context's momentum (the trainer's calibration) wins over the description's 0.3
    public void BatchNorm_momentum_updates_the_running_statistics_as_torch_does(double? contextMomentum, double expected)
    {
        using var scope = Libtorch.NewScope();
        var p = BatchNormParams(3);
        var x = Libtorch.Randn([2, 3, 4, 5], new Generator(5)).Mul(2).Add(1);
        var (mean0, var0) = (p["running_mean"].Clone(), p["running_var"].Clone());
        var (mean, var) = Updated(mean0, var0, x, expected);
        var ctx = ForwardContext.Train() with { BatchNormMomentum = contextMomentum };
        using (Autograd.NoGrad()) new BatchNorm2d(3, Momentum: 0.3).Apply(p, x, ctx);
        Close(mean, p["running_mean"], 1e-5, "running mean");
        Close(var, p["running_var"], 1e-5, "running variance");
        var (defaultMean, _) = Updated(mean0, var0, x, 0.1);
        Differ(defaultMean, p["running_mean"], "running mean against momentum 0.1");
    }

    /// <summary>Reference adaptive average pooling (torch's bins: ⌊i·n/k⌋ … ⌈(i+1)·n/k⌉) to rows×cols, raster order.</summary>
    static Tensor Pooled(Tensor map, int rows, int cols)
    {
        long h = map.Size(2), w = map.Size(3);
        var tokens = new List<Tensor>();
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
            {
                long r0 = i * h / rows, r1 = ((i + 1) * h + rows - 1) / rows, c0 = j * w / cols, c1 = ((j + 1) * w + cols - 1) / cols;
                tokens.Add(map.Narrow(2, r0, r1 - r0).Narrow(3, c0, c1 - c0).Mean([2L, 3L]));
            }
        return Libtorch.Stack(tokens.ToArray(), 1);                                       // [b, rows·cols, C]
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Msve_pools_to_a_grid_of_GridHeight_rows_and_GridWidth_columns(bool multiScale)
    {
        using var scope = Libtorch.NewScope();
        var spec = ModelFixture.Spec() with { Vision = ModelFixture.Spec().Vision with { UseMsve = multiScale, DV = multiScale ? 32 : 512 } };
        var model = spec.Compile();
        var wide = model with { Vision = model.Vision with { GridHeight = 2, GridWidth = 3 } };
        var (image, ids) = Inputs();
        using var noGrad = Autograd.NoGrad();
        var net = Net(wide);
        var features = net.VisionFeatures(image, ForwardContext.Eval);
        var vp = net.Params.View("vis_enc");
        var c = wide.Vision.Trunk(vp, image, ForwardContext.Eval);
        var map = multiScale ? wide.Vision.Pyramid(vp, c, ForwardContext.Eval, keepMaps: true).Maps![4] : c[3];
        Close(Pooled(map, 2, 3), features, 1e-5, "2×3 grid");
        Differ(Pooled(map, 3, 2), features, "2×3 grid against 3×2");
        Assert.Equal(new long[] { 1, 6, 50 }, net.Forward(image, ids, null, ForwardContext.Eval).Logits.Shape);
    }

    [Fact]
    public void Balance_loss_weight_is_the_decoder_moe_layers_weight_and_weighs_the_loss()
    {
        using var scope = Libtorch.NewScope();
        var model = (ModelFixture.Spec() with { Moe = ModelFixture.Spec().Moe with { BalanceLossWeight = 0.05 } }).Compile();
        Assert.Equal(0.05, model.BalanceLossWeight);
        Assert.Equal(0, (ModelFixture.Spec() with { Moe = ModelFixture.Spec().Moe with { Enabled = false } }).Compile().BalanceLossWeight);

        // A description built by hand: its MoE layers' field, not any spec, is what the loss uses.
        var heavy = model with { Decoder = new Decoder(ValueList.From(model.Decoder.Blocks.Select(b => b with { FeedForward = ((Moe)b.FeedForward) with { BalanceLossWeight = 2 } }))) };
        Assert.Equal(2, heavy.BalanceLossWeight);
        var (image, ids) = Inputs();
        using var noGrad = Autograd.NoGrad();
        var r = Net(heavy).Forward(image, ids, null, ForwardContext.Eval);
        var (loss, ce) = Micar.Training.CaptionLoss.Of(heavy, r, ids);
        Close(ce.Add(r.BalanceLoss.Mul(2)), loss, 1e-6, "loss with weight 2");
        Differ(loss, Micar.Training.CaptionLoss.Of(model, r, ids).Loss, "loss with weight 2 against 0.05");
    }

    [Fact]
    public void Moe_layers_with_different_balance_loss_weights_are_rejected()
    {
        var model = ModelFixture.Spec().Compile();
        var blocks = model.Decoder.Blocks.Select((b, i) => b with { FeedForward = ((Moe)b.FeedForward) with { BalanceLossWeight = i == 0 ? 0.01 : 0.02 } });
        var mixed = model with { Decoder = new Decoder(ValueList.From(blocks)) };
        Assert.Contains("CaptionModel.Decoder: the Moe layers' BalanceLossWeight values differ (0.01, 0.02); the loss weighs their mean balance value with one weight",
            mixed.Validate().Select(e => e.Message));
    }

    [Fact]
    public void Linear_bias_of_proj_and_gen_logits_is_honoured()
    {
        using var scope = Libtorch.NewScope();
        var model = ModelFixture.Spec().Compile();
        var head = (Linear)model.GenLogits.Items[1];
        var biased = model with { GenLogits = new Sequential(model.GenLogits.Items[0], head with { Bias = true }) };
        var net = Net(biased);
        net.Params["gen_logits.1.bias"].Detach().Fill_(0.5);
        var (image, ids) = Inputs();
        using var noGrad = Autograd.NoGrad();
        Close(Logits(model).Add(0.5), net.Forward(image, ids, null, ForwardContext.Eval).Logits, 1e-5, "gen_logits with bias 0.5");

        var proj = (Linear)model.Proj.Items[1];
        var unbiased = Net(model with { Proj = new Sequential(model.Proj.Items[0], proj with { Bias = false }) });
        var features = Libtorch.Randn([1, 4, 32], new Generator(9));
        var p = unbiased.Params.View("proj");
        Close(F.Linear(RmsNorm.Normalize(features, p["0.weight"]), p["1.weight"]), unbiased.Project(features), 1e-6, "proj without bias");
    }

    [Fact]
    public void Every_layer_of_proj_runs_and_a_layer_without_a_forward_is_refused()
    {
        using var scope = Libtorch.NewScope();
        var model = ModelFixture.Spec().Compile();
        // A dropout appended to proj is run (training mode drops, evaluation is the identity).
        var extra = model with { Proj = new Sequential(model.Proj.Items[0], model.Proj.Items[1], new Dropout(0.5)) };
        Assert.Empty(extra.Validate());
        var net = Net(extra);
        var features = Libtorch.Randn([1, 4, 32], new Generator(9));
        var p = net.Params.View("");
        using var noGrad = Autograd.NoGrad();
        var eval = extra.Project(p, features, ForwardContext.Eval);
        Close(eval, net.Project(features), 0, "proj + dropout, evaluation");
        var train = extra.Project(p, features, ForwardContext.Train(new Generator(3)));
        Assert.Equal(0.0, train.Sub(eval.Mul(2)).Mul(train).Abs().Max().Item(), 5);   // kept values ×2, the rest 0
        Differ(eval, train, "proj + dropout, training");
        // A container has no forward on one input: refused at binding, naming the field and the item.
        var container = model with { Proj = new Sequential(model.Proj.Items[0], model.Proj.Items[1], new LayerList(new Linear(32, 32))) };
        var e = Assert.Throws<NotSupportedException>(() => Net(container));
        Assert.Equal("CaptionModel.Proj item 2 (LayerList) has no forward on one input", e.Message);
    }
}

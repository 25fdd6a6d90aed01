using Micar.Layers;
using Micar.Spec;
using Xunit;

namespace Micar.Tests.Spec;

public class SpecValidationTests
{
    private static readonly ModelSpec Valid = Presets.Get("official-covctr");

    private static IReadOnlyList<string> Messages(ModelSpec s) => s.Validate().Select(e => e.Message).ToList();

    [Fact]
    public void EveryPresetIsValid()
    {
        foreach (var name in Presets.Names)
            Assert.True(Presets.Get(name).Validate().Count == 0, name + ": " + string.Join("; ", Presets.Get(name).Validate()));
    }

    [Fact]
    public void MoeTopKExceedingExpertsNamesBothFields()
    {
        var errors = (Valid with { Moe = Valid.Moe with { TopK = 9 } }).Validate();
        var e = Assert.Single(errors);
        Assert.Equal(("moe.topK", "moe.topK 9 exceeds moe.experts 8"), (e.Path, e.Message));
    }

    [Fact]
    public void MoeRouterIsOneOfTheKnownRouters()
    {
        var e = Assert.Single((Valid with { Moe = Valid.Moe with { Router = "round-robin" } }).Validate());
        Assert.Equal(("moe.router", $"moe.router 'round-robin' is not one of {string.Join(", ", MoeRouters.Names)}"), (e.Path, e.Message));
        Assert.Equal(MoeRouter.KindName, Valid.Moe.Router);
        var spec = SpecSerializer.FromYaml("name: mine\nmoe:\n  router: top-k\n");
        Assert.Equal("top-k", spec.Moe.Router);
        var compiled = (Moe)Valid.Compile().Decoder.Blocks[0].FeedForward;
        Assert.Equal(MoeRouter.KindName, compiled.RouterKind);
        Assert.IsType<MoeRouter>(compiled.Router);
        var unknown = compiled with { RouterKind = "round-robin" };
        Assert.Contains($"Moe.RouterKind 'round-robin' is not one of {string.Join(", ", MoeRouters.Names)}", unknown.Validate().Select(v => v.Message));
    }

    [Fact]
    public void AttentionConstraintsNameTheirFields()
    {
        Assert.Equal(["dLatent 770 is not divisible by heads 8"], Messages(Valid with { DLatent = 770 }));
        Assert.Equal(["dLatent 768 / heads 8 = 96 must equal qkNopeDim + qkRopeDim = 48 + 40 = 88"], Messages(Valid with { QkRopeDim = 40 }));
        Assert.Equal(["dModel 510 is not divisible by heads 8", ], Messages(Valid with { DModel = 510 }).Take(1));
        Assert.Equal(["heads 0 must be positive"], Messages(Valid with { Heads = 0 }));
    }

    [Fact]
    public void NestedFieldsAreNamedByPath()
    {
        var bad = Valid with
        {
            Vision = Valid.Vision with { Depth = 20, Grid = 0 },
            Vocab = new VocabSpec { Dataset = "mimic" },
            Training = Valid.Training with { BatchSize = 0, Gamma = 1.5, StepSize = 0 },
            Dropout = 1.0,
            TextSeqLen = 1,
        };
        Assert.Equal(
        [
            "vision.depth", "vision.grid", "dropout", "textSeqLen", "vocab.dataset", "training.batchSize", "training.gamma",
            "training.stepSize",
        ], bad.Validate().Select(e => e.Path));
        Assert.Contains("vision.depth 20 is not one of 18, 34, 50, 101, 152", Messages(bad));
        Assert.Contains("vocab.dataset 'mimic' is not one of covctr, mmretinal, pgross, roco", Messages(bad));
        Assert.Contains("training.gamma 1.5 must lie in (0, 1]", Messages(bad));
        Assert.Equal(3, Valid.Training.StepSizeFor(7));                     // official epochs // 2
        Assert.Equal(1, Valid.Training.StepSizeFor(1));
        Assert.Equal(3, (Valid.Training with { StepSize = 3 }).StepSizeFor(5));
    }

    [Fact]
    public void VocabNeedsAConsistentSource()
    {
        Assert.Equal(["vocab.size 230 does not match the covctr vocabulary's 229 tokens"],
            Messages(Valid with { Vocab = new VocabSpec { Dataset = "covctr", Size = 230 } }));
        Assert.Equal(["vocab needs a dataset or a size"], Messages(Valid with { Vocab = new VocabSpec { Dataset = null } }));
        Assert.Empty(Messages(Valid with { Vocab = new VocabSpec { Dataset = null, Size = 50 } }));
    }

    [Fact]
    public void PlainVisionNeedsTheTrunkWidth()
    {
        Assert.Equal(["vision.dV 128 must equal the ResNet-18 output channels 512 when vision.useMsve is false"],
            Messages(Valid with { Vision = Valid.Vision with { Depth = 18, DV = 128, UseMsve = false } }));
    }

    [Fact]
    public void CompileRefusesAnInvalidSpec()
    {
        var e = Assert.Throws<SpecValidationException>(() => (Valid with { Moe = Valid.Moe with { TopK = 0 } }).Compile());
        Assert.Contains("moe.topK 0 must be positive", e.Message);
        Assert.Equal("moe.topK", Assert.Single(e.Errors).Path);
    }

    [Fact]
    public void MissingSectionsAreReportedNotThrown()
    {
        Assert.Contains("moe is missing", Messages(Valid with { Moe = null! }));
    }

    [Fact]
    public void CompiledModelsAreValidValues()
    {
        foreach (var name in Presets.BaseNames)
        {
            var model = Presets.Get(name).Compile();
            Assert.Empty(model.Validate());
            Assert.Equal(model, Presets.Get(name).Compile());
        }
    }
}

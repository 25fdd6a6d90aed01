using Micar.Spec;
using Micar.Training;
using Xunit;

namespace Micar.Tests.Training;

/// <summary>Out-of-range training options are refused before anything is read or written, naming the option.</summary>
public class TrainOptionsValidationTests
{
    static TrainOptions Valid() => new() { Spec = Presets.Resolve("tiny"), DataDir = "/data", RunDir = "/run" };

    public static TheoryData<string, Func<TrainOptions, TrainOptions>> Bad => new()
    {
        { "--epochs", o => o with { Epochs = 0 } },
        { "--batch-size", o => o with { BatchSize = 0 } },
        { "--patience", o => o with { Patience = -1 } },
        { "--max-train-rows", o => o with { MaxTrainRows = 0 } },
        { "--val-beam", o => o with { ValidationBeam = 0 } },
        { "--grad-clip", o => o with { GradClip = 0 } },
        { "--grad-clip", o => o with { GradClip = -1 } },
        { "--grad-clip", o => o with { GradClip = double.NaN } },
        { "--grad-clip", o => o with { GradClip = double.PositiveInfinity } },
        { "--cache-features", o => o with { CacheFeatures = true } },
        { "--data", o => o with { DataDir = "" } },
        { "--epochs", o => o with { Spec = o.Spec with { Training = o.Spec.Training with { Epochs = 0 } } } },
    };

    [Theory]
    [MemberData(nameof(Bad))]
    public void Each_bad_option_is_named(string option, Func<TrainOptions, TrainOptions> change)
    {
        var e = Assert.Throws<TrainOptionsException>(() => change(Valid()).Validate());
        Assert.Contains(option, e.Message);
        Assert.Single(e.Problems);
    }

    [Fact]
    public void Valid_options_pass_and_every_problem_is_listed()
    {
        Valid().Validate();
        (Valid() with { CacheFeatures = true, FreezeVision = true, GradClip = 1.0, Patience = 0 }).Validate();
        var e = Assert.Throws<TrainOptionsException>(() => (Valid() with { Epochs = 0, GradClip = double.NaN }).Validate());
        Assert.Equal(2, e.Problems.Count);
    }

    [Fact]
    public void The_validation_beam_must_fit_the_vocabulary()
    {
        var o = Valid() with { ValidationBeam = 50 };
        o.Validate();
        o.Validate(vocabularySize: 50);
        var e = Assert.Throws<TrainOptionsException>(() => o.Validate(vocabularySize: 49));
        Assert.Contains("--val-beam", e.Message);
        Assert.Contains("49 tokens", e.Message);
    }
}

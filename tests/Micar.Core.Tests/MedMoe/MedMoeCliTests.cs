using Micar.Spec;
using Micar.Tests.Cli;
using Xunit;

namespace Micar.Tests.MedMoe;

/// <summary><c>micar describe</c> on the MedMoE presets.</summary>
[Collection("console")]
public class MedMoeCliTests
{
    [Theory]
    [InlineData("medmoe-tiny")]
    [InlineData("medmoe-base")]
    [InlineData("medmoe-tiny-no-moe")]
    public void DescribePrintsTheBlocksAndTheParameterCount(string preset)
    {
        var (code, output, err) = CliHarness.Run(["describe", "--spec", preset, "--depth", "1"]);
        Assert.True(code == 0, err);
        var total = MedMoePresets.Get(preset).Describe().Totals.Parameters;
        Assert.Contains(total.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), output);
        Assert.Contains("vis_enc", output);
        Assert.Contains("text_proj", output);
        Assert.Equal(preset.EndsWith("no-moe", StringComparison.Ordinal), !output.Contains("router"));
        var (jcode, json, _) = CliHarness.Run(["describe", "--spec", preset, "--json"]);
        Assert.Equal(0, jcode);
        Assert.Contains("\"experts.0.3\"", json);
    }
}

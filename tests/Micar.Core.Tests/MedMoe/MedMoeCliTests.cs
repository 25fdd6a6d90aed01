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

    /// <summary>A MedMoE spec file (JSON or YAML, <c>family: medmoe</c>; what a MedMoE run saves is one) is taken by
    /// <c>--spec</c>; a malformed one is refused naming the file and key.</summary>
    [Fact]
    public void A_medmoe_spec_file_in_json_or_yaml_is_a_spec()
    {
        var dir = Directory.CreateTempSubdirectory("micar-medmoe-spec-").FullName;
        try
        {
            var spec = MedMoePresets.Get("medmoe-tiny") with { Name = "my-medmoe", Experts = 6 };
            var json = Path.Combine(dir, "my.json");
            File.WriteAllText(json, spec.ToJson());
            Assert.Contains("\"family\": \"medmoe\"", File.ReadAllText(json));
            Assert.True(MedMoePresets.TryResolve(json, out var back));
            Assert.Equal(spec.ToJson(), back.ToJson());
            var yaml = Path.Combine(dir, "my.yaml");
            File.WriteAllText(yaml, YamlJsonBridge.Write(System.Text.Json.Nodes.JsonNode.Parse(spec.ToJson())));
            foreach (var file in new[] { json, yaml })
            {
                var (code, output, err) = CliHarness.Run(["describe", "--spec", file, "--depth", "1"]);
                Assert.True(code == 0, err);
                Assert.Contains(spec.Describe().Totals.Parameters.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), output);
            }
            // A caption spec file is not a MedMoE one.
            var caption = Path.Combine(dir, "caption.json");
            SpecSerializer.Save(Presets.Get("tiny"), caption);
            Assert.False(MedMoePresets.TryResolve(caption, out _));
            // A MedMoE file with an unknown key: exit 2 naming the file and the key.
            var bad = Path.Combine(dir, "bad.json");
            File.WriteAllText(bad, spec.ToJson().Replace("\"experts\"", "\"expertz\""));
            var (bcode, _, berr) = CliHarness.Run(["describe", "--spec", bad]);
            Assert.Equal(2, bcode);
            Assert.Contains("bad.json", berr);
            Assert.Contains("expertz", berr);
            var wrong = Path.Combine(dir, "wrong.json");
            File.WriteAllText(wrong, spec.ToJson().Replace("\"routing\": \"conditioned\"", "\"routing\": \"sometimes\""));
            var (wcode, _, werr) = CliHarness.Run(["describe", "--spec", wrong]);
            Assert.Equal(2, wcode);
            Assert.Contains("wrong.json", werr);
        }
        finally { Directory.Delete(dir, true); }
    }
}

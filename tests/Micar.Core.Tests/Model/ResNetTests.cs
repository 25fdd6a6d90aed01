using System.Text.Json;
using Micar.Model;
using Micar.Layers;
using Micar.Torch;
using Xunit;
using Micar.Nn;

namespace Micar.Tests.Model;


public class ResNetTests
{
    [Fact]
    public void ResNet18_stage_outputs_equal_torchvision_on_the_same_weights()
    {
        using var scope = Libtorch.NewScope();
        using var doc = JsonDocument.Parse(File.ReadAllText(DeterministicWeights.Fixture("resnet18_keys.json")));
        using var store = DeterministicWeights.Store(DeterministicWeights.Keys(doc.RootElement));
        var expected = DeterministicWeights.Load("resnet18.safetensors");
        using var noGrad = Autograd.NoGrad();
        var c = new ResNet(18).Stages(store.View(""), expected["image"], ResNetNaming.Torchvision, ForwardContext.Eval);
        double worst = 0;
        foreach (var (name, i) in new[] { ("c2", 0), ("c3", 1), ("c4", 2), ("c5", 3) })
        {
            Assert.Equal(expected[name].Shape, c[i].Shape);
            double diff = (expected[name] - c[i]).Abs().Max().Item();
            worst = Math.Max(worst, diff);
            Assert.True(diff < 1e-4, $"{name}: max abs difference {diff:g3}");
        }
        // Reported in the closing note: worst difference over C2..C5.
        Console.WriteLine($"ResNet-18 vs torchvision max abs diff: {worst:g3}");
    }
}

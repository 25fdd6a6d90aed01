using Xunit;
using System.Text.Json;
using Micar.Layers;

namespace Micar.Tests.Layers;

public class VisionTests
{
    private static JsonElement Torchvision(int depth) =>
        JsonDocument.Parse(File.ReadAllText(ReferenceTsv.FixturePath("layers", "torchvision-resnet.json")))
            .RootElement.GetProperty("models").GetProperty($"resnet{depth}");

    [Theory]
    [InlineData(18)]
    [InlineData(101)]
    public void ResNetKeysAreTorchvisionsWithoutFc(int depth)
    {
        var expected = ReferenceTsv.Rows("layers", $"torchvision-resnet{depth}.tsv").Where(r => !r.StartsWith("fc.")).ToList();
        Assert.Equal(expected, new ResNet(depth).Parameters().Select(p => p.ToTsvRow()));
    }

    [Theory]
    [InlineData(18)]
    [InlineData(34)]
    [InlineData(50)]
    [InlineData(101)]
    [InlineData(152)]
    public void ResNetCountsAndConvFlopsMatchTorchvision(int depth)
    {
        var reference = Torchvision(depth);
        var net = new ResNet(depth);
        Assert.Equal(reference.GetProperty("trunkParameters").GetInt64(), net.ParameterCount());
        Assert.Equal(reference.GetProperty("trunkConvFlops224").GetInt64(), net.Flops(new Shape(1, 3, 224, 224)));
        Assert.Equal(reference.GetProperty("trunkConvFlops128").GetInt64(), net.Flops(new Shape(1, 3, 128, 128)));
        Assert.Equal(new Shape(1, net.OutputChannels, 7, 7), net.OutputShape(new Shape(1, 3, 224, 224)));
    }

    [Fact]
    public void ResNetInitAndValidation()
    {
        Assert.All(new ResNet(18).Parameters().Where(p => p.Shape.Rank == 4), p => Assert.IsType<Initializer.KaimingNormalFanOut>(p.Init));
        Assert.Equal(["ResNet.Depth 20 is not one of 18, 34, 50, 101, 152"], new ResNet(20).Validate().Select(e => e.Message));
        Assert.Equal(2048, ResNet.OutputChannelsOf(101));
        Assert.Equal(512, ResNet.OutputChannelsOf(34));
        Assert.Throws<ArgumentOutOfRangeException>(() => ResNet.OutputChannelsOf(20));
    }

    [Theory]
    [InlineData(18)]
    [InlineData(50)]
    public void TheOfficialTrunkIsTheTorchvisionTrunkUnderTheOfficialNames(int depth)
    {
        // Msve's trunk structure and ResNetNaming.Official must agree: the same tensors, in order, renamed.
        var trunk = new Msve(new ResNet(depth), 64).Parameters().Where(p => p.Name.StartsWith("layer")).Select(p => (p.Name, p.Shape)).ToList();
        var renamed = new ResNet(depth).Parameters().Select(p => (ResNetNaming.Torchvision.Rename(p.Name, ResNetNaming.Official)!, p.Shape)).ToList();
        Assert.Equal(renamed, trunk);
        Assert.All(trunk, t => Assert.Equal(t.Name, ResNetNaming.Torchvision.Rename(ResNetNaming.Official.Rename(t.Name, ResNetNaming.Torchvision)!, ResNetNaming.Official)));
    }

    [Fact]
    public void TorchvisionKeysMapOntoTheOfficialTrunkInOrder()
    {
        var official = ReferenceTsv.Rows("reference", "official-state-dict-covctr.tsv")
            .Where(r => r.StartsWith("vis_enc.layer")).ToList();
        var mapped = ReferenceTsv.Rows("layers", "torchvision-resnet101.tsv")
            .Select(r => r.Split('\t'))
            .Select(c => (Key: Msve.TorchvisionToOfficial(c[0]), Tail: string.Join('\t', c.Skip(1))))
            .Where(x => x.Key is not null)
            .Select(x => $"vis_enc.{x.Key}\t{x.Tail}")
            .ToList();
        Assert.Equal(official, mapped);
        Assert.Null(Msve.TorchvisionToOfficial("fc.weight"));
        Assert.Equal("layer3.0.22.bn3.bias", Msve.TorchvisionToOfficial("layer3.22.bn3.bias"));
        Assert.Equal("layer1.conv1.weight".Replace("layer1.", "layer1.4."), Msve.TorchvisionToOfficial("layer1.conv1.weight"));
        Assert.Throws<ArgumentException>(() => Msve.TorchvisionToOfficial("avgpool.x"));
    }

    [Fact]
    public void OfficialTrunkKeysMapBack()
    {
        foreach (var row in ReferenceTsv.Rows("layers", "torchvision-resnet101.tsv").Where(r => !r.StartsWith("fc.")))
        {
            var key = row.Split('\t')[0];
            Assert.Equal(key, Msve.OfficialToTorchvision(Msve.TorchvisionToOfficial(key)!));
        }
        Assert.Null(Msve.OfficialToTorchvision("fpn_c2.0.weight"));
        Assert.Null(Msve.OfficialToTorchvision("fusion.1.running_var"));
    }

    [Fact]
    public void MsveShapesCountsAndFlops()
    {
        var msve = new Msve(new ResNet(101), 2048);
        Assert.Equal(new Shape(2, 49, 2048), msve.OutputShape(new Shape(2, 3, 224, 224)));
        var t = new ShapeTracer("vis_enc");
        t.Run(msve, new Shape(1, 3, 224, 224));
        Assert.Equal(new Shape(1, 2048, 56, 56), t.Find("vis_enc.fusion")!.Output);
        Assert.Equal(new Shape(1, 256, 56, 56), t.Find("vis_enc.layer1")!.Output);
        Assert.Equal(new Shape(1, 2048, 7, 7), t.Find("vis_enc.layer4")!.Output);
        // §12: the fused 3×3 conv is 236.8 GFLOP, laterals 3.29 / 1.64 / 0.82 / 0.41
        Assert.Equal(2L * 2048 * 2048 * 9 * 3136, t.FlopsUnder("vis_enc.fusion"));
        Assert.Equal(2L * 256 * 2048 * 3136, t.FlopsUnder("vis_enc.fpn_c2"));
        Assert.Equal(2L * 2048 * 2048 * 49, t.FlopsUnder("vis_enc.fpn_c5"));
        // §3: laterals 530,432 / 1,054,720 / 2,103,296 / 4,200,448 and fusion 37,754,880 parameters
        Assert.Equal([530_432L, 1_054_720, 2_103_296, 4_200_448], Enumerable.Range(0, 4).Select(i => msve.Lateral(i).ParameterCount()));
        Assert.Equal(37_754_880, msve.Fusion.ParameterCount());
        Assert.Equal(new Initializer.UniformFanIn(256), msve.Lateral(0).Parameters().First().Init);
    }

    [Fact]
    public void WithoutMultiScaleTheTrunkIsPooled()
    {
        var plain = new Msve(new ResNet(18), 512, 7, 7, MultiScale: false);
        Assert.Equal(["layer1", "layer2", "layer3", "layer4", "pool"], plain.Children.Select(c => c.Name));
        Assert.Equal(new Shape(1, 49, 512), plain.OutputShape(new Shape(1, 3, 128, 128)));
        Assert.Equal(new ResNet(18).ParameterCount(), plain.ParameterCount());
        Assert.Equal(["Msve.Width 128 must equal the backbone's output channels 512 when MultiScale is false"],
            (plain with { Width = 128 }).Validate().Select(e => e.Message));
    }

    [Fact]
    public void GridIsConfigurable()
    {
        var msve = new Msve(new ResNet(18), 64, 4, 6);
        Assert.Equal(new Shape(1, 24, 64), msve.OutputShape(new Shape(1, 3, 128, 128)));
        Assert.Equal(24, msve.Tokens);
    }
}

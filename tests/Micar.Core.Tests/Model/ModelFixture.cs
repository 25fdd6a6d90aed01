using System.Text.Json;
using Micar.Layers;
using Micar.Model;
using Micar.Spec;

namespace Micar.Tests.Model;

/// <summary>The small official-architecture configuration of scripts/fixtures/make_model_fixtures.py as a spec,
/// with its deterministic weights.</summary>
public static class ModelFixture
{
    public static ModelSpec Spec(MoeCombine combine = MoeCombine.Sum, MoeDispatch dispatch = MoeDispatch.Dense) => new()
    {
        Name = "fixture-small",
        Vision = new VisionSpec { Depth = 18, ImageSize = 64, DV = 32, Grid = 7, UseMsve = true },
        DModel = 32, DLatent = 48, Heads = 2, QkNopeDim = 12, QkRopeDim = 12, DFf = 64,
        Activation = Activation.Silu, Dropout = 0, AttentionDropout = 0,
        EncoderLayers = 2, DecoderLayers = 2,
        Moe = new MoeSpec { Experts = 4, TopK = 2, Combine = combine, Dispatch = dispatch },
        Vocab = new VocabSpec { Dataset = null, Size = 50 },
        TextSeqLen = 12,
        AttentionScale = AttentionScale.PerHead,
    };

    /// <summary>The state-dict key list the Python reference produced.</summary>
    public static List<(string Key, long[] Shape)> ReferenceKeys()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(DeterministicWeights.Fixture("tiny_model.json")));
        return DeterministicWeights.Keys(doc.RootElement.GetProperty("state_dict")).ToList();
    }

    /// <summary>The network with deterministic weights.</summary>
    public static CaptionNet Net(ModelSpec? spec = null)
    {
        var model = (spec ?? Spec()).Compile();
        var store = DeterministicWeights.Store(model.Parameters().Select(p => (p.Name, p.Shape.ToArray())));
        return new CaptionNet(model, store);
    }
}

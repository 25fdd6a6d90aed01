using System.Text.Json.Serialization;
using Micar.Layers;

namespace Micar.Spec;

/// <summary>
/// The declarative description of a whole captioning network and its training: plain data, serialisable to
/// and from JSON and YAML (<see cref="SpecSerializer"/>; camelCase keys, enums as camelCase strings).
/// Defaults are the official <c>cfg.py</c> defaults (§1 of the reference) with the official code's behaviours
/// (MoE sum combine, dense dispatch, per-head attention scale). <see cref="Compile"/> turns a spec into the
/// <see cref="CaptionModel"/> description; ablations and variants are edits of a spec (<see cref="Ablations"/>),
/// named ones are in <see cref="Presets"/>.
/// </summary>
public sealed record ModelSpec
{
    /// <summary>Name of the configuration (a preset name, or anything).</summary>
    public string Name { get; init; } = "custom";

    /// <summary>Free-text description.</summary>
    public string? Description { get; init; }

    /// <summary>The image side.</summary>
    public VisionSpec Vision { get; init; } = new();

    /// <summary>Model width d (d_model).</summary>
    public int DModel { get; init; } = 512;

    /// <summary>Expanded attention width L (d_latent); L / heads must equal qkNopeDim + qkRopeDim.</summary>
    public int DLatent { get; init; } = 768;

    /// <summary>Attention heads H.</summary>
    public int Heads { get; init; } = 8;

    /// <summary>Position-free query/key features per head.</summary>
    public int QkNopeDim { get; init; } = 48;

    /// <summary>Rotary query/key features per head.</summary>
    public int QkRopeDim { get; init; } = 48;

    /// <summary>Hidden width of the feed-forwards and experts (d_ff).</summary>
    public int DFf { get; init; } = 2048;

    /// <summary>Activation of the FFNs, experts and GatedFusion MLPs (<c>act_fn</c>).</summary>
    public Activation Activation { get; init; } = Activation.Silu;

    /// <summary>Dropout of the embedding, FFN outputs and fusion MLP.</summary>
    public double Dropout { get; init; } = 0.1;

    /// <summary>Dropout on attention probabilities.</summary>
    public double AttentionDropout { get; init; } = 0.12;

    /// <summary>Blocks of the latent encoder (the official code uses one <c>num_layers</c> for both stacks).</summary>
    public int EncoderLayers { get; init; } = 2;

    /// <summary>Blocks of the decoder.</summary>
    public int DecoderLayers { get; init; } = 2;

    /// <summary>False for the "w/o latent encoder" ablation: projected image tokens go straight to the decoder.</summary>
    public bool LatentEncoder { get; init; } = true;

    /// <summary>The decoder's mixture of experts.</summary>
    public MoeSpec Moe { get; init; } = new();

    /// <summary>The vocabulary.</summary>
    public VocabSpec Vocab { get; init; } = new();

    /// <summary>Text length T (rows of the saved position table; reports are cut to T − 2 words).</summary>
    public int TextSeqLen { get; init; } = 80;

    /// <summary>Attention score scaling: <c>perHead</c> (official) or <c>latent</c> (paper).</summary>
    public AttentionScale AttentionScale { get; init; } = AttentionScale.PerHead;

    /// <summary>Training and decoding hyperparameters.</summary>
    public TrainingSpec Training { get; init; } = new();

    /// <summary>Every problem of the spec, each naming its field path (e.g. <c>moe.topK 9 exceeds moe.experts 8</c>).</summary>
    public IReadOnlyList<ValidationError> Validate() => SpecValidator.Validate(this);

    /// <summary>Throws <see cref="SpecValidationException"/> listing every problem, or returns the spec.</summary>
    public ModelSpec EnsureValid()
    {
        var errors = Validate();
        return errors.Count == 0 ? this : throw new SpecValidationException(Name, errors);
    }

    /// <summary>The layer-description tree of the network.</summary>
    /// <exception cref="SpecValidationException">The spec is invalid.</exception>
    public CaptionModel Compile() => SpecCompiler.Compile(EnsureValid());

    /// <summary>Input shapes for a batch: image <c>[b, 3, imageSize, imageSize]</c> and ids <c>[b, textSeqLen]</c>.</summary>
    public IReadOnlyList<Shape> InputShapes(int batch = 1) =>
        [new Shape(batch, 3, Vision.ImageSize, Vision.ImageSize), new Shape(batch, TextSeqLen)];

    /// <summary>Per-block table (path, kind, output shape, parameters, FLOPs) and totals for a batch of <paramref name="batch"/>.</summary>
    public ModelSummary Describe(int batch = 1) => ModelSummary.Of(Compile(), InputShapes(batch), Name);
}

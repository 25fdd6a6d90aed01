using System.Text.Json;
using Micar.Layers;
using Micar.Training;

namespace Micar.Spec;

/// <summary>
/// The declarative description of a MedMoE contrastive model (<see cref="MedMoeModel"/>): plain data, serialisable to JSON
/// with the options of <see cref="SpecSerializer"/> (camelCase keys, enums as camelCase strings). Named ones are in
/// <see cref="MedMoePresets"/>; the router ablations are edits of <see cref="Routing"/>.
/// </summary>
public sealed record MedMoeSpec
{
    /// <summary>The value of <see cref="Family"/>: a spec file with <c>family: medmoe</c> is a MedMoE spec.</summary>
    public const string FamilyName = "medmoe";

    /// <summary>The model family, <c>medmoe</c>: written into every MedMoE spec file so that <c>--spec FILE</c> can tell a
    /// MedMoE spec from a caption model's.</summary>
    public string Family { get; init; } = FamilyName;

    /// <summary>Name of the configuration.</summary>
    public string Name { get; init; } = "custom-medmoe";

    /// <summary>Free-text description.</summary>
    public string? Description { get; init; }

    /// <summary>The image side (must use the MSVE: its pyramid levels are the scales).</summary>
    public VisionSpec Vision { get; init; } = new() { Depth = 18, ImageSize = 96, DV = 64, Grid = 3, UseMsve = true };

    /// <summary>Side of the grid each pyramid level P2…P5 is pooled to (region tokens per image: 4·scaleGrid²).</summary>
    public int ScaleGrid { get; init; } = 3;

    /// <summary>Conditioned (MedMoE), unconditioned router, or no MoE.</summary>
    public MedMoeRouting Routing { get; init; } = MedMoeRouting.Conditioned;

    /// <summary>Experts (ignored, taken as 1, without a router).</summary>
    public int Experts { get; init; } = 4;

    /// <summary>Experts kept per region token.</summary>
    public int TopK { get; init; } = 2;

    /// <summary>Modality names, in label order (the synthetic data: <c>ct</c>, <c>xray</c>).</summary>
    public IReadOnlyList<string> Modalities { get; init; } = ["ct", "xray"];

    /// <summary>Width of the router's modality embedding.</summary>
    public int ModalityDim { get; init; } = 16;

    /// <summary>Width of the expert branches.</summary>
    public int Width { get; init; } = 64;

    /// <summary>Width of the shared image–report space.</summary>
    public int EmbedDim { get; init; } = 64;

    /// <summary>Initial temperature τ₀ of the contrastive logits (learnt from there).</summary>
    public double InitTemperature { get; init; } = 0.07;

    /// <summary>Text encoder width.</summary>
    public int TextDModel { get; init; } = 64;

    /// <summary>Text encoder heads (textDLatent / heads = textQkNopeDim + textQkRopeDim).</summary>
    public int TextHeads { get; init; } = 2;

    /// <summary>Text encoder expanded attention width.</summary>
    public int TextDLatent { get; init; } = 64;

    /// <summary>Position-free query/key features per head.</summary>
    public int TextQkNopeDim { get; init; } = 16;

    /// <summary>Rotary query/key features per head.</summary>
    public int TextQkRopeDim { get; init; } = 16;

    /// <summary>Text feed-forward hidden width.</summary>
    public int TextDFf { get; init; } = 128;

    /// <summary>Text encoder blocks.</summary>
    public int TextLayers { get; init; } = 1;

    /// <summary>Mean or CLS pooling of the report.</summary>
    public TextPooling TextPooling { get; init; } = TextPooling.Mean;

    /// <summary>Activation of the text feed-forwards.</summary>
    public Activation Activation { get; init; } = Activation.Silu;

    /// <summary>Dropout of the text encoder.</summary>
    public double Dropout { get; init; } = 0.1;

    /// <summary>Longest report in tokens (BOS and EOS included).</summary>
    public int TextSeqLen { get; init; } = 80;

    /// <summary>The vocabulary.</summary>
    public VocabSpec Vocab { get; init; } = new();

    /// <summary>Weights of the loss terms.</summary>
    public MedMoeLossWeights Loss { get; init; } = new();

    /// <summary>Training hyperparameters (batch size, epochs, learning rates, seed).</summary>
    public TrainingSpec Training { get; init; } = new();

    /// <summary>Every problem of the spec (field paths in camelCase), the compiled description's included.</summary>
    public IReadOnlyList<ValidationError> Validate()
    {
        var errors = new List<ValidationError>();
        void Add(string path, string message) => errors.Add(new ValidationError(path, message));
        if (Family != FamilyName) Add("family", $"family '{Family}' is not '{FamilyName}'");
        if (!Vision.UseMsve) Add("vision.useMsve", "a MedMoE model needs the MSVE pyramid (useMsve true)");
        if (!ResNet.SupportedDepths.Contains(Vision.Depth)) Add("vision.depth", $"ResNet depth {Vision.Depth} is not one of {string.Join(", ", ResNet.SupportedDepths)}");
        if (Vision.ImageSize < 32) Add("vision.imageSize", $"image size {Vision.ImageSize} must be at least 32");
        if (Modalities.Count == 0) Add("modalities", "at least one modality is needed");
        if (Modalities.Distinct(StringComparer.Ordinal).Count() != Modalities.Count) Add("modalities", "modality names must be distinct");
        if (Vocab.ResolvedSize is null) Add("vocab", "the vocabulary size is unknown (set vocab.size or a known vocab.dataset)");
        if (TextHeads <= 0 || TextDLatent % Math.Max(TextHeads, 1) != 0 || TextDLatent / Math.Max(TextHeads, 1) != TextQkNopeDim + TextQkRopeDim)
            Add("textDLatent", $"textDLatent {TextDLatent} / textHeads {TextHeads} must equal textQkNopeDim + textQkRopeDim ({TextQkNopeDim + TextQkRopeDim})");
        foreach (var m in Loss.Check()) Add("loss", m);
        if (errors.Count > 0) return errors;
        foreach (var e in Build().Validate()) Add(e.Path, e.Message);
        return errors;
    }

    /// <summary>Throws <see cref="SpecValidationException"/> listing every problem, or returns the spec.</summary>
    public MedMoeSpec EnsureValid()
    {
        var errors = Validate();
        return errors.Count == 0 ? this : throw new SpecValidationException(Name, errors);
    }

    MedMoeModel Build()
    {
        var vision = new Msve(new ResNet(Vision.Depth), Vision.DV, Vision.Grid, Vision.Grid, MultiScale: true);
        var text = TextEncoder.Create(Vocab.ResolvedSize ?? 1, TextSeqLen, TextDModel, TextHeads, TextDLatent, TextQkNopeDim, TextQkRopeDim,
            TextDFf, TextLayers, Activation, Dropout, TextPooling);
        var experts = Routing == MedMoeRouting.None ? 1 : Experts;
        return new MedMoeModel(vision, ScaleGrid, experts, Routing == MedMoeRouting.None ? 1 : TopK, Routing, Modalities.Count,
            ModalityDim, Width, text, EmbedDim, InitTemperature);
    }

    /// <summary>This spec at another image size (the scripts' and tests' budget knob; F# cannot use C#'s <c>with</c>).</summary>
    public MedMoeSpec WithImageSize(int imageSize) => this with { Vision = Vision with { ImageSize = imageSize } };

    /// <summary>The layer description of the model.</summary>
    /// <exception cref="SpecValidationException">The spec is invalid.</exception>
    public MedMoeModel Compile() => EnsureValid().Build();

    /// <summary>Input shapes for a batch: image <c>[b, 3, imageSize, imageSize]</c> and ids <c>[b, textSeqLen]</c>.</summary>
    public IReadOnlyList<Shape> InputShapes(int batch = 1) =>
        [new Shape(batch, 3, Vision.ImageSize, Vision.ImageSize), new Shape(batch, TextSeqLen)];

    /// <summary>Per-block table (path, kind, output shape, parameters, FLOPs) and totals for a batch of <paramref name="batch"/>.</summary>
    public ModelSummary Describe(int batch = 1) => ModelSummary.Of(Compile(), InputShapes(batch), Name);

    /// <summary>The spec as JSON (the options of <see cref="SpecSerializer"/>).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, SpecSerializer.JsonOptions);

    /// <summary>A spec from JSON written by <see cref="ToJson"/> (missing keys take their defaults); <paramref name="file"/>
    /// labels error messages.</summary>
    /// <exception cref="SpecFormatException">Malformed JSON, an unknown key or a wrongly typed value.</exception>
    public static MedMoeSpec FromJson(string json, string file = "<json>")
    {
        try
        {
            return JsonSerializer.Deserialize<MedMoeSpec>(json, SpecSerializer.JsonOptions)
                ?? throw new JsonException("the document is null");
        }
        catch (JsonException e)
        {
            throw new SpecFormatException(file, [new SpecFormatProblem(e.Path ?? "$", (int?)e.LineNumber + 1, e.Message)]);
        }
    }

    /// <summary>The spec in a <c>.json</c>, <c>.yaml</c> or <c>.yml</c> file (the limits of caption spec files apply).</summary>
    /// <exception cref="SpecFormatException">The file is malformed, too large, or has another extension.</exception>
    public static MedMoeSpec Load(string path) => FromJson(JsonText(path), path);

    /// <summary>The spec in <paramref name="path"/> when it is a spec file whose top level says <c>family: medmoe</c> (the
    /// file read once); null for any other file, a caption model's spec or a JSON text that does not parse, which the
    /// caption spec reader then reports.</summary>
    /// <exception cref="SpecFormatException">A MedMoE spec that is malformed, or a YAML file that does not parse.</exception>
    public static MedMoeSpec? LoadIfMedMoe(string path)
    {
        if (!File.Exists(path) || Path.GetExtension(path).ToLowerInvariant() is not (".json" or ".yaml" or ".yml")) return null;
        var text = JsonText(path);
        System.Text.Json.Nodes.JsonNode? root;
        try
        {
            root = System.Text.Json.Nodes.JsonNode.Parse(text,
                documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException) { return null; }
        bool medmoe = root is System.Text.Json.Nodes.JsonObject o && o.TryGetPropertyValue("family", out var f)
            && f is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out var name) && name == FamilyName;
        return medmoe ? FromJson(text, path) : null;
    }

    /// <summary>The file's document as JSON text (YAML converted), within the spec size limit.</summary>
    static string JsonText(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"spec file '{path}' does not exist", path);
        if (info.Length > SpecLimits.MaxFileBytes)
            throw new SpecFormatException(path, [new SpecFormatProblem(null, null, $"the file has {info.Length} bytes; spec files are limited to {SpecLimits.MaxFileBytes} bytes")]);
        var text = File.ReadAllText(path);
        try
        {
            return Path.GetExtension(path).ToLowerInvariant() switch
            {
                ".json" => text,
                ".yaml" or ".yml" => YamlJsonBridge.Read(text, path).Root?.ToJsonString() ?? "null",
                var ext => throw new SpecFormatException(path, [new SpecFormatProblem(null, null, $"unknown spec file extension '{ext}' (expected .json, .yaml or .yml)")]),
            };
        }
        catch (JsonException e)
        {
            throw new SpecFormatException(path, [new SpecFormatProblem(null, (int?)e.LineNumber + 1, "invalid JSON: " + e.Message)]);
        }
    }
}

/// <summary>Named MedMoE specs: <c>medmoe-tiny</c> (trains in minutes on 2 CPU cores), <c>medmoe-base</c>, each with the
/// router ablations as suffixes <c>-unconditioned</c> and <c>-no-moe</c>.</summary>
public static class MedMoePresets
{
    static readonly Dictionary<string, Func<MedMoeSpec, MedMoeSpec>> Suffixes = new(StringComparer.Ordinal)
    {
        ["unconditioned"] = s => s with { Name = s.Name + "-unconditioned", Routing = MedMoeRouting.Unconditioned },
        ["no-moe"] = s => s with { Name = s.Name + "-no-moe", Routing = MedMoeRouting.None },
    };

    static readonly Dictionary<string, MedMoeSpec> Bases = new(StringComparer.Ordinal)
    {
        ["medmoe-tiny"] = new MedMoeSpec
        {
            Name = "medmoe-tiny",
            Description = "MedMoE at CPU size: ResNet-18 at 96 px, d_v 64, P2…P5 pooled to 3×3, 4 experts top-2 conditioned on the modality, 1-block text encoder of width 64",
            Training = new TrainingSpec { BatchSize = 32, Epochs = 6, Lr = 1e-3, VisionLr = 5e-4, WeightDecay = 1e-4, Patience = 6, Seed = 20260 },
        },
        ["medmoe-base"] = new MedMoeSpec
        {
            Name = "medmoe-base",
            Description = "MedMoE at paper-like size: ResNet-50 at 224 px, d_v 256, P2…P5 pooled to 7×7, 6 experts top-2, 4-block text encoder of width 256",
            Vision = new VisionSpec { Depth = 50, ImageSize = 224, DV = 256, Grid = 7, UseMsve = true },
            ScaleGrid = 7,
            Experts = 6,
            TopK = 2,
            ModalityDim = 32,
            Width = 256,
            EmbedDim = 256,
            TextDModel = 256,
            TextHeads = 4,
            TextDLatent = 384,
            TextQkNopeDim = 48,
            TextQkRopeDim = 48,
            TextDFf = 1024,
            TextLayers = 4,
            Training = new TrainingSpec { BatchSize = 64, Epochs = 30, Lr = 1e-4, VisionLr = 5e-5, WeightDecay = 1e-4, Patience = 10, Seed = 20260 },
        },
    };

    /// <summary>The base names.</summary>
    public static IReadOnlyList<string> BaseNames { get; } = [.. Bases.Keys];

    /// <summary>Every base name and every base with one ablation suffix.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. BaseNames, .. BaseNames.SelectMany(b => Suffixes.Keys.Select(s => b + "-" + s))];

    /// <summary>Looks a name up (a base name, optionally followed by one ablation suffix).</summary>
    public static bool TryGet(string name, out MedMoeSpec spec)
    {
        spec = null!;
        foreach (var (baseName, b) in Bases)
        {
            if (name == baseName) { spec = b; return true; }
            if (name.StartsWith(baseName + "-", StringComparison.Ordinal) && Suffixes.TryGetValue(name[(baseName.Length + 1)..], out var edit))
            {
                spec = edit(b);
                return true;
            }
        }
        return false;
    }

    /// <summary>A MedMoE preset, or a spec file whose top level says <c>family: medmoe</c> (the spec a MedMoE run saves is
    /// one); false for anything else, such as a caption model's preset or spec file.</summary>
    /// <exception cref="SpecFormatException">A MedMoE spec file that is malformed.</exception>
    public static bool TryResolve(string presetOrPath, out MedMoeSpec spec)
    {
        if (TryGet(presetOrPath, out spec)) return true;
        spec = MedMoeSpec.LoadIfMedMoe(presetOrPath)!;
        return spec is not null;
    }

    /// <summary>The spec of a preset name.</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the known ones.</exception>
    public static MedMoeSpec Get(string name) => TryGet(name, out var s) ? s
        : throw new ArgumentException($"Unknown MedMoE preset '{name}'. Presets: {string.Join(", ", Names)}.", nameof(name));
}

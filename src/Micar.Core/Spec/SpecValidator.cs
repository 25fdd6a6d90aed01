using System.Globalization;
using Micar.Layers;

namespace Micar.Spec;

/// <summary>The checks behind <see cref="ModelSpec.Validate"/>; paths and names are the JSON/YAML keys.</summary>
internal static class SpecValidator
{
    public static IReadOnlyList<ValidationError> Validate(ModelSpec s)
    {
        var errors = new List<ValidationError>();
        void Error(string path, string message) => errors.Add(new ValidationError(path, message));
        void Positive(string path, long value)
        {
            if (value <= 0) Error(path, $"{path} {value} must be positive");
        }
        void Probability(string path, double value)
        {
            if (!(value is >= 0 and < 1)) Error(path, $"{path} {Fmt(value)} must lie in [0, 1)");
        }

        if (string.IsNullOrWhiteSpace(s.Name)) Error("name", "name must not be empty");
        if (s.Vision is null) Error("vision", "vision is missing");
        if (s.Moe is null) Error("moe", "moe is missing");
        if (s.Vocab is null) Error("vocab", "vocab is missing");
        if (s.Training is null) Error("training", "training is missing");

        if (s.Vision is { } v)
        {
            var depthOk = ResNet.SupportedDepths.Contains(v.Depth);
            if (!depthOk) Error("vision.depth", $"vision.depth {v.Depth} is not one of {string.Join(", ", ResNet.SupportedDepths)}");
            if (v.ImageSize < 32) Error("vision.imageSize", $"vision.imageSize {v.ImageSize} is too small: the backbone needs at least 32 pixels");
            Positive("vision.dV", v.DV);
            Positive("vision.grid", v.Grid);
            if (!v.UseMsve && depthOk && v.DV != ResNet.OutputChannelsOf(v.Depth))
                Error("vision.dV", $"vision.dV {v.DV} must equal the ResNet-{v.Depth} output channels {ResNet.OutputChannelsOf(v.Depth)} when vision.useMsve is false");
            if (v.PretrainedWeights is { } w && string.IsNullOrWhiteSpace(w))
                Error("vision.pretrainedWeights", "vision.pretrainedWeights must be a path or absent");
        }

        Positive("dModel", s.DModel);
        if (s.DModel > 0 && s.DModel % 2 != 0)
            Error("dModel", $"dModel {s.DModel} must be even (the sinusoidal position table interleaves sin and cos)");
        Positive("heads", s.Heads);
        Positive("dLatent", s.DLatent);
        Positive("dFf", s.DFf);
        if (s.QkNopeDim < 0) Error("qkNopeDim", $"qkNopeDim {s.QkNopeDim} must not be negative");
        if (s.QkRopeDim < 0) Error("qkRopeDim", $"qkRopeDim {s.QkRopeDim} must not be negative");
        if (s.Heads > 0)
        {
            if (s.DModel > 0 && s.DModel % s.Heads != 0)
                Error("dModel", $"dModel {s.DModel} is not divisible by heads {s.Heads}");
            if (s.DLatent > 0 && s.DLatent % s.Heads != 0)
                Error("dLatent", $"dLatent {s.DLatent} is not divisible by heads {s.Heads}");
            else if (s.DLatent > 0 && s.DLatent / s.Heads != s.QkNopeDim + s.QkRopeDim)
                Error("dLatent", $"dLatent {s.DLatent} / heads {s.Heads} = {s.DLatent / s.Heads} must equal " +
                                 $"qkNopeDim + qkRopeDim = {s.QkNopeDim} + {s.QkRopeDim} = {s.QkNopeDim + s.QkRopeDim}");
        }
        if (!Enum.IsDefined(s.Activation)) Error("activation", $"activation {(int)s.Activation} is not a known activation");
        if (!Enum.IsDefined(s.AttentionScale)) Error("attentionScale", $"attentionScale {(int)s.AttentionScale} is not a known scale");
        Probability("dropout", s.Dropout);
        Probability("attentionDropout", s.AttentionDropout);
        if (s.LatentEncoder) Positive("encoderLayers", s.EncoderLayers);
        else if (s.EncoderLayers < 0) Error("encoderLayers", $"encoderLayers {s.EncoderLayers} must not be negative");
        Positive("decoderLayers", s.DecoderLayers);
        if (s.TextSeqLen < 2) Error("textSeqLen", $"textSeqLen {s.TextSeqLen} must be at least 2 (<sos> and <eos>)");

        if (s.Moe is { } m)
        {
            Positive("moe.experts", m.Experts);
            if (m.TopK <= 0) Error("moe.topK", $"moe.topK {m.TopK} must be positive");
            else if (m.Experts > 0 && m.TopK > m.Experts) Error("moe.topK", $"moe.topK {m.TopK} exceeds moe.experts {m.Experts}");
            if (!MoeRouters.Names.Contains(m.Router))
                Error("moe.router", $"moe.router '{m.Router}' is not one of {string.Join(", ", MoeRouters.Names)}");
            if (!(m.BalanceLossWeight >= 0)) Error("moe.balanceLossWeight", $"moe.balanceLossWeight {Fmt(m.BalanceLossWeight)} must not be negative");
            if (!Enum.IsDefined(m.Combine)) Error("moe.combine", $"moe.combine {(int)m.Combine} is not a known mode");
            if (!Enum.IsDefined(m.Dispatch)) Error("moe.dispatch", $"moe.dispatch {(int)m.Dispatch} is not a known mode");
        }

        if (s.Vocab is { } voc)
        {
            if (voc.Dataset is null && voc.Size is null)
                Error("vocab", "vocab needs a dataset or a size");
            if (voc.Dataset is { } ds && !PaperDatasets.VocabSizes.ContainsKey(ds))
                Error("vocab.dataset", $"vocab.dataset '{ds}' is not one of {string.Join(", ", PaperDatasets.VocabSizes.Keys)}");
            if (voc.Size is { } n)
            {
                if (n < 4) Error("vocab.size", $"vocab.size {n} must be at least 4 (<pad>, <sos>, <eos>, <unk>)");
                else if (voc.Dataset is { } d && PaperDatasets.VocabSizes.TryGetValue(d, out var known) && known != n)
                    Error("vocab.size", $"vocab.size {n} does not match the {d} vocabulary's {known} tokens");
            }
            Positive("vocab.minFrequency", voc.MinFrequency);
        }

        if (s.Training is { } t)
        {
            Positive("training.batchSize", t.BatchSize);
            Positive("training.epochs", t.Epochs);
            if (!(t.Lr > 0)) Error("training.lr", $"training.lr {Fmt(t.Lr)} must be positive");
            if (!(t.VisionLr >= 0)) Error("training.visionLr", $"training.visionLr {Fmt(t.VisionLr)} must not be negative");
            if (!(t.WeightDecay >= 0)) Error("training.weightDecay", $"training.weightDecay {Fmt(t.WeightDecay)} must not be negative");
            if (!(t.Gamma is > 0 and <= 1)) Error("training.gamma", $"training.gamma {Fmt(t.Gamma)} must lie in (0, 1]");
            if (t.StepSize is { } step) Positive("training.stepSize", step);
            Positive("training.patience", t.Patience);
            Positive("training.beamWidth", t.BeamWidth);
            if (t.Seed is < 0 or > uint.MaxValue) Error("training.seed", $"training.seed {t.Seed} must lie in [0, 2^32)");
        }
        return errors;
    }

    private static string Fmt(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}

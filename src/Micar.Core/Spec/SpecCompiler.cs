using Micar.Layers;

namespace Micar.Spec;

/// <summary>Builds the <see cref="CaptionModel"/> description of a (valid) spec, as the official constructor does.</summary>
internal static class SpecCompiler
{
    public static CaptionModel Compile(ModelSpec s)
    {
        // The official model re-initialises every ≥2-D parameter outside vis_enc with xavier_uniform (§4.12).
        const WeightInit xavier = WeightInit.XavierUniform;
        var vocab = s.Vocab.ResolvedSize ?? throw new InvalidOperationException("vocabulary size is unknown");
        var d = s.DModel;

        var vision = new Msve(new ResNet(s.Vision.Depth), s.Vision.DV, s.Vision.Grid, s.Vision.Grid, s.Vision.UseMsve);
        var proj = new Sequential(new RmsNorm(s.Vision.DV), new Linear(s.Vision.DV, d, Bias: true, xavier));

        MdlaSelfAttention SelfAttention() => new(d, s.Heads, s.DLatent, s.QkNopeDim, s.QkRopeDim, s.AttentionDropout, s.AttentionScale, xavier);
        GatedFfn Ffn() => new(d, s.DFf, s.Activation, s.Dropout, xavier);

        Encoder? encoder = s.LatentEncoder
            ? new Encoder(ValueList.From(Enumerable.Range(0, s.EncoderLayers).Select(_ => EncoderBlock.Create(SelfAttention(), Ffn()))))
            : null;

        var cross = new MdlaCrossAttention(d, s.Heads, s.DLatent, s.QkNopeDim, s.QkRopeDim, s.AttentionDropout, s.AttentionScale, xavier);
        var fusion = new GatedFusion(d, s.Activation, s.Dropout, cross, xavier);
        ILayer feedForward = s.Moe.Enabled
            ? new Moe(d, s.DFf, s.Moe.Experts, s.Moe.TopK, s.Activation, s.Dropout, s.Moe.Combine, s.Moe.Dispatch, s.Moe.BalanceLossWeight, xavier) { RouterKind = s.Moe.Router }
            : Ffn();
        var decoder = new Decoder(ValueList.From(Enumerable.Range(0, s.DecoderLayers).Select(_ => DecoderBlock.Create(SelfAttention(), fusion, feedForward))));

        var text = new TextEmbedding(vocab, d, s.TextSeqLen, s.Dropout, xavier);
        var head = new Sequential(new RmsNorm(d), new Linear(d, vocab, Bias: false, xavier));
        return new CaptionModel(vision, proj, encoder, text, decoder, head).EnsureValid();
    }
}

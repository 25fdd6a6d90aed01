using Micar.Layers;
using Micar.Nn;
using Micar.Torch;

namespace Micar.Model;

/// <summary>
/// A <see cref="CaptionModel"/> description bound to a <see cref="ParamStore"/>: the description says what the network
/// is and runs it (<see cref="CaptionModel.Apply"/>, block by block through each block's own <c>Apply</c>); the store
/// holds the tensors under the official state-dict keys. This class only checks that the two fit and saves passing the
/// store on each call — the role of a bound Flax module (<c>model.bind(params)</c>).
/// </summary>
public sealed class CaptionNet
{
    /// <summary>Binds a description to a store; fails listing missing, unexpected and wrongly shaped keys, and refuses a
    /// description with a part that has no forward (<see cref="CaptionModel.NotRunnable"/>).</summary>
    public CaptionNet(CaptionModel description, ParamStore parameters)
    {
        var problems = description.NotRunnable().ToList();
        if (problems.Count > 0) throw new NotSupportedException(string.Join("; ", problems));
        Description = description;
        Params = parameters;
        Checkpoint.EnsureMatches(description, parameters);
    }

    /// <summary>The layer description.</summary>
    public CaptionModel Description { get; }

    /// <summary>The parameters and buffers (official state-dict keys).</summary>
    public ParamStore Params { get; }

    ParamView Root => Params.View("");

    /// <summary>Image tokens of the vision encoder (MSVE, or the pooled last stage without it): [b, N, d_v].</summary>
    public Tensor VisionFeatures(Tensor image, ForwardContext ctx) => Description.VisionFeatures(Root, image, ctx);

    /// <summary>The projection <c>proj</c>: [b, N, d_v] → [b, N, d] (evaluation mode).</summary>
    public Tensor Project(Tensor features) => Description.Project(Root, features, ForwardContext.Eval);

    /// <summary>Image tokens after the vision encoder and the projection: [b, N, d].</summary>
    public Tensor VisualTokens(Tensor image, ForwardContext ctx) => Description.VisualTokens(Root, image, ctx);

    /// <summary>The latent encoder over projected image tokens (identity without one): [b, N, d].</summary>
    public Tensor EncodeTokens(Tensor tokens, ForwardContext ctx) => Description.EncodeTokens(Root, tokens, ctx);

    /// <summary>Image → encoder memory [b, N, d].</summary>
    public Tensor EncodeImage(Tensor image, ForwardContext ctx) => Description.EncodeImage(Root, image, ctx);

    /// <summary>A cache for incremental decoding.</summary>
    public DecoderCache NewCache() => Description.Decoder.NewCache();

    /// <summary>Decodes token ids [b, T] against encoder memory [b, N, d] (see <see cref="CaptionModel.Decode"/>).</summary>
    public DecoderOutput Decode(Tensor ids, Tensor memory, Tensor? padMask, ForwardContext ctx, DecoderCache? cache = null) =>
        Description.Decode(Root, ids, memory, padMask, ctx, cache);

    /// <summary>The whole forward pass: image [b, 3, H, W], ids [b, T], optional pad mask [b, T] → logits and balance value.</summary>
    public DecoderOutput Forward(Tensor image, Tensor ids, Tensor? padMask, ForwardContext ctx) =>
        Description.Apply(Root, image, ids, padMask, ctx);
}

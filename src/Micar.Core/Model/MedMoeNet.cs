using Micar.Layers;
using Micar.Nn;
using Micar.Torch;
using Micar.Training;

namespace Micar.Model;

/// <summary>
/// A <see cref="MedMoeModel"/> description bound to a <see cref="ParamStore"/> (as <see cref="CaptionNet"/> binds a
/// caption model): the store's keys and shapes are checked against the description once, and the calls pass the store on.
/// </summary>
public sealed class MedMoeNet
{
    /// <summary>Binds; fails listing missing, unexpected and wrongly shaped keys.</summary>
    public MedMoeNet(MedMoeModel description, ParamStore parameters)
    {
        Description = description.EnsureValid();
        Params = parameters;
        Checkpoint.EnsureMatches(description, parameters);
    }

    /// <summary>A freshly initialised network for <paramref name="description"/>.</summary>
    public static MedMoeNet Create(MedMoeModel description, Generator generator, Device? device = null) =>
        new(description, ParamInit.Create(description, generator, device));

    /// <summary>The description.</summary>
    public MedMoeModel Description { get; }

    /// <summary>The parameters and buffers.</summary>
    public ParamStore Params { get; }

    ParamView Root => Params.View("");

    /// <summary>Image embeddings; <paramref name="modality"/> labels [b] in training, null to route by the predicted modality.</summary>
    public MedMoeImage EncodeImage(Tensor image, Tensor? modality, ForwardContext ctx) => Description.EncodeImage(Root, image, modality, ctx);

    /// <summary>Report embeddings of ids [b, T].</summary>
    public MedMoeText EncodeText(Tensor ids, ForwardContext ctx) => Description.EncodeText(Root, ids, ctx);

    /// <summary>The similarity scale 1/τ (a scalar tensor).</summary>
    public Tensor LogitScale() => Description.LogitScale(Root);

    /// <summary>The training loss of matched images [b, 3, H, W] and reports [b, T]: the images are routed by their
    /// <paramref name="modality"/> labels [b] when given (the labels also train the modality head).</summary>
    public MedMoeLosses Loss(Tensor image, Tensor ids, Tensor? modality, MedMoeLossWeights weights, ForwardContext ctx)
    {
        using var img = EncodeImage(image, modality, ctx);
        using var txt = EncodeText(ids, ctx);
        return MedMoeLoss.Of(Description, Root, img, txt, modality, weights);
    }
}

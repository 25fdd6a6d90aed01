using Micar.Layers;
using Micar.Model;
using Micar.Nn;
using Micar.Torch;
using Micar.Torch.Optim;

namespace Micar.Training;

/// <summary>The parts of a <see cref="TrainStep"/>, in order; <see cref="TrainStep.PhaseDone"/> is told as each ends.</summary>
public enum TrainPhase
{
    /// <summary>Image tokens from the vision encoder (skipped when the step is given cached features).</summary>
    Vision,
    /// <summary>Projection and latent encoder: the image memory.</summary>
    Encoder,
    /// <summary>Text embedding, decoder blocks, logits.</summary>
    Decoder,
    /// <summary>The loss (<see cref="CaptionLoss"/>).</summary>
    Loss,
    /// <summary>Gradients (and their clipping).</summary>
    Backward,
    /// <summary>The optimizer's update.</summary>
    Optimizer,
}

/// <summary>What one step computed: the loss, its cross-entropy part and the balance value, in the caller's scope.</summary>
public sealed record StepLosses(Tensor Loss, Tensor CrossEntropy, Tensor Balance);

/// <summary>
/// One optimisation step of a caption model, made of parts: forward with teacher forcing (vision encoder, or cached
/// image features; encoder; decoder), <see cref="CaptionLoss"/> with the description's balance weight, backward, optional
/// gradient-norm clipping, optimizer step. The trainer, the benchmark workers (CPU and GPU) and the notebooks run their
/// steps through it; <see cref="PhaseDone"/> lets a benchmark time or profile each part.
/// </summary>
/// <param name="net">The bound model.</param>
/// <param name="optimizer">Updates the trainable parameters.</param>
public sealed class TrainStep(CaptionNet net, Optimizer optimizer)
{
    /// <summary>The bound model.</summary>
    public CaptionNet Net { get; } = net;

    /// <summary>The optimizer.</summary>
    public Optimizer Optimizer { get; } = optimizer;

    /// <summary>Maximum global gradient norm (null: no clipping).</summary>
    public double? GradClip { get; init; }

    /// <summary>Runs the vision encoder in evaluation mode without gradients (its parameters frozen).</summary>
    public bool FreezeVision { get; init; }

    /// <summary>Mixed precision for the forward pass (e.g. <see cref="DType.BFloat16"/> on CUDA, as <c>torch.autocast</c>);
    /// null: full precision.</summary>
    public DType? Autocast { get; init; }

    /// <summary>Called as each part of the step ends (timing, profiling).</summary>
    public Action<TrainPhase>? PhaseDone { get; init; }

    /// <summary>Data-parallel training: this rank's batch is its shard of a global batch, and the gradients are summed
    /// across ranks before clipping and the update (null: one process).</summary>
    public DataParallel? Parallel { get; init; }

    /// <summary>
    /// One step on a batch: <paramref name="images"/> [b, 3, H, W] or, when the vision encoder is frozen and its output
    /// cached, <paramref name="features"/> [b, N, d_v]; token ids, pad mask and labels [b, T]. <paramref name="checkLoss"/>
    /// sees the loss value before the backward pass (reading it synchronises a GPU) and may throw to stop a diverged run
    /// before the parameters change. Returns the loss tensors (in the caller's scope).
    /// </summary>
    public StepLosses Run(Tensor? images, Tensor? features, Tensor ids, Tensor mask, Tensor labels, ForwardContext ctx,
        Action<double>? checkLoss = null)
    {
        if (images is null == features is null) throw new ArgumentException("a step needs either images or image features, not both");
        Optimizer.ZeroGrad();
        if (Parallel is { Size: > 1, SyncBatchNorm: true } sync && ctx.SyncBatchNorm is null) ctx = ctx with { SyncBatchNorm = sync.Group };
        DecoderOutput output;
        (Tensor Loss, Tensor CrossEntropy) loss;
        using (Autocast is { } dtype ? Autograd.Autocast(ids.Device.Type, dtype) : null)
        {
            var feats = features ?? VisionFeatures(images!, ctx);
            if (features is null) PhaseDone?.Invoke(TrainPhase.Vision);
            var memory = Net.EncodeTokens(Net.Description.Project(Net.Params.View(""), feats, ctx), ctx);
            PhaseDone?.Invoke(TrainPhase.Encoder);
            output = Net.Decode(ids, memory, mask, ctx);
            PhaseDone?.Invoke(TrainPhase.Decoder);
            loss = CaptionLoss.Of(Net.Description, output, labels);
        }
        PhaseDone?.Invoke(TrainPhase.Loss);
        checkLoss?.Invoke(loss.Loss.Item());
        if (Parallel is { Size: > 1 } dp)
        {
            // The gradient of the global batch's loss, as one process with the whole batch computes it: each rank's
            // token-mean cross-entropy weighted by its share of the global tokens, its balance value by 1/ranks; the
            // ranks' gradients are then summed. (The balance value itself is per rank, as in PyTorch's DDP.)
            long local = labels.Ne(Micar.Data.SpecialTokens.PadId).Sum().Item<long>();
            double share = (double)local / Math.Max(1, dp.Sum(local));
            double alpha = Net.Description.BalanceLossWeight;
            var scaled = alpha == 0 ? loss.CrossEntropy.Mul(share) : loss.CrossEntropy.Mul(share).Add(output.BalanceLoss.To(DType.Float32).Mul(alpha / dp.Size));
            dp.Backward([.. Optimizer.Parameters], scaled);
        }
        else loss.Loss.Backward();
        if (GradClip is { } clip) Micar.Torch.Optim.GradClip.ClipGradNorm(Optimizer.Parameters, clip);
        PhaseDone?.Invoke(TrainPhase.Backward);
        Optimizer.Step();
        PhaseDone?.Invoke(TrainPhase.Optimizer);
        return new StepLosses(loss.Loss, loss.CrossEntropy, output.BalanceLoss);
    }

    Tensor VisionFeatures(Tensor images, ForwardContext ctx)
    {
        if (!FreezeVision) return Net.VisionFeatures(images, ctx);
        using var noGrad = Autograd.NoGrad();
        return Net.VisionFeatures(images, ForwardContext.Eval);
    }
}

using Micar.Data;
using Micar.Model;
using Micar.Torch;

namespace Micar.Training;

/// <summary>
/// What one training run holds while its epochs go by: the bound model and its step, the options, the data of both
/// splits (encoded text, cached image features or the image loader), the dropout generator and the run's settings —
/// passed whole to the epoch and validation functions of <see cref="Trainer"/> instead of fifteen arguments each.
/// </summary>
/// <param name="Net">The bound model being trained.</param>
/// <param name="Options">The run's options.</param>
/// <param name="Step">One optimisation step (forward, loss, backward, clipping, update).</param>
/// <param name="Rng">The dropout generator (saved with the run state).</param>
/// <param name="Batch">Batch size.</param>
/// <param name="Seed">Seed of the shuffling.</param>
/// <param name="Epochs">Epochs of the whole run.</param>
/// <param name="Log">Progress lines.</param>
/// <param name="Cancel">Stops the run between steps.</param>
sealed record TrainingRun(CaptionNet Net, TrainOptions Options, TrainStep Step, Generator Rng, int Batch, long Seed, int Epochs,
    Action<string> Log, CancellationToken Cancel)
{
    /// <summary>The training split.</summary>
    public required SplitData Train { get; init; }
    /// <summary>Its reports, encoded.</summary>
    public required EncodedBatch TrainText { get; init; }
    /// <summary>Cached image tokens of the training split (frozen vision encoder), or null.</summary>
    public Tensor? TrainFeatures { get; init; }
    /// <summary>Background image loader of the training split (when features are not cached), or null.</summary>
    public Data.Loading.CaptionLoader? Loader { get; init; }
    /// <summary>The validation split.</summary>
    public required SplitData Val { get; init; }
    /// <summary>Its reports, encoded.</summary>
    public required EncodedBatch ValText { get; init; }
    /// <summary>Its reference texts, as scored.</summary>
    public required string[] ValRefs { get; init; }
    /// <summary>Cached image tokens of the validation split, or null.</summary>
    public Tensor? ValFeatures { get; init; }
    /// <summary>The evaluation image transform.</summary>
    public required Data.Images.ImageTransform Transform { get; init; }
    /// <summary>Turns generated ids into text.</summary>
    public required Tokenizer Tokenizer { get; init; }
    /// <summary>Beam width of the validation decoding.</summary>
    public required int ValidationBeam { get; init; }
    /// <summary>True for the synthetic dataset (finding-level scores are added).</summary>
    public required bool Synthetic { get; init; }
}

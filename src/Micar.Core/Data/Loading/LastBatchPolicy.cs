namespace Micar.Data.Loading;

/// <summary>What <see cref="CaptionLoader"/> does with the rows left over when the batch size does not divide the dataset.</summary>
public enum LastBatchPolicy
{
    /// <summary>Yield them as a smaller last batch (the official loaders' behaviour: no <c>drop_last</c>).</summary>
    Keep,

    /// <summary>Leave them out of this epoch (PyTorch's <c>drop_last=True</c>).</summary>
    Drop,
}

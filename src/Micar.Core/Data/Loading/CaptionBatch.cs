using Micar.Torch;

namespace Micar.Data.Loading;


/// <summary>
/// A batch of b rows produced by <see cref="CaptionLoader"/>: the official default collation (images stacked,
/// token ids stacked) plus what identifies the rows. The tensors are CPU tensors that belong to no
/// <see cref="DisposeScope"/>: the receiver owns them, and disposing the batch frees them.
/// </summary>
/// <param name="Images"><c>[b, 3, H, W]</c> float32, the transformed images.</param>
/// <param name="InputIds"><c>[b, T]</c> int64, <c>&lt;sos&gt;</c> + report ids + <c>&lt;eos&gt;</c> + padding.</param>
/// <param name="PadMask"><c>[b, T]</c> int64, 1 where <paramref name="InputIds"/> is not padding.</param>
/// <param name="Labels"><c>[b, T]</c> int64, the ids each input position should predict.</param>
/// <param name="RowIndices">Position of each row in <see cref="CaptionDataset.Rows"/>.</param>
/// <param name="ImagePaths">The image file of each row.</param>
/// <param name="Reports">The report text of each row.</param>
public sealed record CaptionBatch(
    Tensor Images, Tensor InputIds, Tensor PadMask, Tensor Labels,
    int[] RowIndices, string[] ImagePaths, string[] Reports) : IDisposable
{
    /// <summary>Number of rows b.</summary>
    public int Count => RowIndices.Length;

    /// <summary>Frees the four tensors.</summary>
    public void Dispose()
    {
        Images.Dispose();
        InputIds.Dispose();
        PadMask.Dispose();
        Labels.Dispose();
    }

    /// <summary>Allocates the (uninitialised) tensors of a batch of <paramref name="rows"/>, outside every scope.</summary>
    internal static CaptionBatch Allocate(CaptionDataset dataset, int[] rows)
    {
        long b = rows.Length, t = dataset.TextLength;
        var tensors = new List<Tensor>(4);
        try
        {
            tensors.Add(Libtorch.Empty([b, 3, dataset.Images.OutputHeight, dataset.Images.OutputWidth], DType.Float32).DetachFromScope());
            tensors.Add(Libtorch.Empty([b, t], DType.Int64).DetachFromScope());
            tensors.Add(Libtorch.Empty([b, t], DType.Int64).DetachFromScope());
            tensors.Add(Libtorch.Empty([b, t], DType.Int64).DetachFromScope());
        }
        catch
        {
            foreach (var tensor in tensors)
                tensor.Dispose();
            throw;
        }
        return new CaptionBatch(tensors[0], tensors[1], tensors[2], tensors[3], rows,
            rows.Select(r => dataset.Rows[r].ImagePath).ToArray(),
            rows.Select(r => dataset.Rows[r].Report).ToArray());
    }

    /// <summary>Loads row <c>RowIndices[slot]</c> of <paramref name="dataset"/> into slot <paramref name="slot"/> of the tensors.</summary>
    internal void Fill(CaptionDataset dataset, int slot, Random? random)
    {
        int image = dataset.Images.OutputLength, t = dataset.TextLength;
        dataset.WriteSample(RowIndices[slot], random,
            Images.AsSpan<float>().Slice(slot * image, image),
            InputIds.AsSpan<long>().Slice(slot * t, t),
            PadMask.AsSpan<long>().Slice(slot * t, t),
            Labels.AsSpan<long>().Slice(slot * t, t));
    }
}

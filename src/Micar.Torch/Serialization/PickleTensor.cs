namespace Micar.Torch.Serialization;

/// <summary>
/// A tensor described by a <c>.pth</c> pickle (<c>torch._utils._rebuild_tensor_v2</c> and relatives): a strided
/// view of a storage. The data is not loaded; <see cref="PthFile.ReadTensor"/> turns it into a contiguous
/// <see cref="TensorData"/>.
/// </summary>
/// <param name="Storage">The storage the view reads from (several tensors may share one).</param>
/// <param name="StorageOffset">Index of the first element in the storage, in elements.</param>
/// <param name="Size">The tensor's shape.</param>
/// <param name="Stride">Step in elements along each dimension (may be 0 for expanded dimensions).</param>
/// <param name="RequiresGrad">The <c>requires_grad</c> flag saved with the tensor (true for most parameters).</param>
/// <param name="IsParameter">True when the tensor was pickled as an <c>nn.Parameter</c>.</param>
public sealed record PickleTensor(PickleStorage Storage, long StorageOffset, long[] Size, long[] Stride, bool RequiresGrad, bool IsParameter)
{
    /// <summary>The element type (that of the storage).</summary>
    public DType DType => Storage.DType;

    /// <summary>Number of elements.</summary>
    public long Numel => TensorData.NumelOf(Size);

    /// <summary>True when the view is the row-major contiguous layout of its shape.</summary>
    public bool IsContiguous
    {
        get
        {
            long expected = 1;
            for (var i = Size.Length - 1; i >= 0; i--)
            {
                if (Size[i] != 1 && Stride[i] != expected) return Numel == 0;
                expected *= Size[i];
            }
            return true;
        }
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"tensor({DType.TorchName()}, size={TensorData.FormatShape(Size)}, stride={TensorData.FormatShape(Stride)}, " +
        $"offset={StorageOffset}, storage='{Storage.Key}')";
}

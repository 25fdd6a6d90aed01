namespace Micar.Torch.Serialization;

/// <summary>Gathers a strided view of a storage into contiguous row-major bytes.</summary>
internal static class StridedCopy
{
    /// <summary>
    /// Index one past the last storage element a view touches (its storage offset when the view is empty), or
    /// throws <see cref="OverflowException"/> when the arithmetic overflows.
    /// </summary>
    public static long Extent(long offset, ReadOnlySpan<long> size, ReadOnlySpan<long> stride)
    {
        long last = offset;
        for (var i = 0; i < size.Length; i++)
        {
            if (size[i] == 0) return offset;
            last = checked(last + (size[i] - 1) * stride[i]);
        }
        return checked(last + 1);
    }

    /// <summary>
    /// Copies the elements of the view (offset, size, stride in elements) out of <paramref name="storage"/>
    /// into a new contiguous array. The caller has checked that the view lies inside the storage.
    /// </summary>
    public static byte[] Gather(ReadOnlySpan<byte> storage, int elementSize, long offset, long[] size, long[] stride)
    {
        var numel = TensorData.NumelOf(size);
        var result = new byte[checked(numel * elementSize)];
        if (numel == 0) return result;

        // Merge the innermost dimensions that are laid out contiguously into one run of bytes.
        var rank = size.Length;
        long run = 1;
        var inner = rank;
        while (inner > 0 && (size[inner - 1] == 1 || stride[inner - 1] == run))
        {
            run *= size[inner - 1];
            inner--;
        }
        var runBytes = checked((int)(run * elementSize));
        var index = new long[inner];
        var source = offset;
        var target = 0;
        while (true)
        {
            storage.Slice(checked((int)(source * elementSize)), runBytes).CopyTo(result.AsSpan(target));
            target += runBytes;
            // Advance the outer multi-index (odometer order, last outer dimension fastest).
            var d = inner - 1;
            while (d >= 0)
            {
                index[d]++;
                source += stride[d];
                if (index[d] < size[d]) break;
                source -= stride[d] * size[d];
                index[d] = 0;
                d--;
            }
            if (d < 0) return result;
        }
    }

    /// <summary>Reverses the byte order of every element in place (for big-endian archives).</summary>
    public static void SwapBytes(Span<byte> data, int elementSize)
    {
        if (elementSize == 1) return;
        for (var i = 0; i + elementSize <= data.Length; i += elementSize) data.Slice(i, elementSize).Reverse();
    }
}

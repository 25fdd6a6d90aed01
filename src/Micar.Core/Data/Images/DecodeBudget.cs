namespace Micar.Data.Images;

/// <summary>
/// A weighted gate bounding the memory of images being decoded at once: <see cref="Enter"/> waits until the
/// bytes already admitted plus the new image's fit in <see cref="BudgetBytes"/>. An image larger than the whole
/// budget is admitted alone, once nothing else is in flight. Records the peaks, so tests can check the bound.
/// </summary>
internal sealed class DecodeBudget
{
    private readonly object _gate = new();
    private long _bytes;
    private int _count;

    /// <summary>The budget of <see cref="Micar.Training.ImageBatcher"/> and of a <see cref="Loading.CaptionDataset"/>'s
    /// loader workers: 2 GiB (one larger image runs alone).</summary>
    public const long DefaultBytes = 2L << 30;

    /// <summary>Working memory from which an image's buffers are collected as soon as it is transformed.</summary>
    private const long CollectAfterBytes = 256L << 20;

    /// <summary>
    /// An estimate of the memory one image takes while it is decoded and transformed: the decoder's pixel buffers
    /// (<see cref="ImageInfo.DecodeBytes"/>), the RGB copy unless it decodes as RGB, and the resize's intermediate rows
    /// (at most every input row, <paramref name="outputWidth"/> wide).
    /// </summary>
    public static long WorkingBytes(ImageInfo info, int outputWidth) =>
        info.DecodeBytes + (info.Mode == ColorMode.Rgb ? 0 : 3 * info.Pixels) + 3L * info.Height * outputWidth;

    /// <summary>
    /// Called when an image of <paramref name="bytes"/> working memory has been transformed, before its slot goes to the
    /// next image: a large image's buffers are collected at once, or the garbage of several large images piles up in the
    /// process (8 images of 169 Mpx: peak RSS 4.3 GB without this, 1.8 GB with it).
    /// </summary>
    public static void Released(long bytes)
    {
        if (bytes >= CollectAfterBytes) GC.Collect(2, GCCollectionMode.Forced, blocking: true);
    }

    /// <summary>Creates a gate admitting <paramref name="budgetBytes"/> bytes at once.</summary>
    public DecodeBudget(long budgetBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(budgetBytes);
        BudgetBytes = budgetBytes;
    }

    /// <summary>Bytes admitted at once (except for a single larger image).</summary>
    public long BudgetBytes { get; }

    /// <summary>Most images in flight at any time.</summary>
    public int PeakCount { get; private set; }

    /// <summary>Most bytes in flight at any time.</summary>
    public long PeakBytes { get; private set; }

    /// <summary>Waits until <paramref name="bytes"/> fit; dispose the result when the image's memory is released.</summary>
    public Lease Enter(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        lock (_gate)
        {
            while (_count > 0 && _bytes + bytes > BudgetBytes)
                Monitor.Wait(_gate);
            _bytes += bytes;
            _count++;
            PeakCount = Math.Max(PeakCount, _count);
            PeakBytes = Math.Max(PeakBytes, _bytes);
        }
        return new Lease(this, bytes);
    }

    private void Exit(long bytes)
    {
        lock (_gate)
        {
            _bytes -= bytes;
            _count--;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>An admitted image; disposing it gives its bytes back.</summary>
    public readonly struct Lease(DecodeBudget budget, long bytes) : IDisposable
    {
        /// <inheritdoc />
        public void Dispose() => budget.Exit(bytes);
    }
}

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

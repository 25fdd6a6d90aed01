namespace Micar.Metrics;

/// <summary>An n-gram of order 1 to 4 over interned token ids (unused slots are -1).</summary>
internal readonly record struct NGram(int Order, int W0, int W1, int W2, int W3)
{
    /// <summary>The maximum order any metric here uses.</summary>
    public const int MaxOrder = 4;

    /// <summary>The n-gram of <paramref name="order"/> tokens starting at <paramref name="start"/>.</summary>
    public static NGram At(int[] ids, int start, int order) => new(
        order,
        ids[start],
        order > 1 ? ids[start + 1] : -1,
        order > 2 ? ids[start + 2] : -1,
        order > 3 ? ids[start + 3] : -1);
}

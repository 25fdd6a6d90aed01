namespace Micar.Data.Images;

/// <summary>The kinds of <see cref="SixteenBitMapping"/>.</summary>
public enum SixteenBitMode
{
    /// <summary>PIL parity: values above 255 become 255 (<c>min(v, 255)</c>).</summary>
    Clip,

    /// <summary>Each image's own minimum..maximum stretched linearly onto 0..255.</summary>
    MinMax,

    /// <summary>A fixed window <c>Low..High</c> mapped linearly onto 0..255, values outside clamped.</summary>
    Window,
}

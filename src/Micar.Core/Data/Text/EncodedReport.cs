namespace Micar.Data;

/// <summary>One report encoded for the model (official tokenizer output), each array of length T.</summary>
/// <param name="InputIds"><c>[&lt;sos&gt;, w…, &lt;eos&gt;, &lt;pad&gt;…]</c>.</param>
/// <param name="PadMask">1 where <paramref name="InputIds"/> is not <c>&lt;pad&gt;</c>, else 0.</param>
/// <param name="LabelIds"><c>[w…, &lt;eos&gt;, &lt;pad&gt;…]</c>: position i holds the token following input position i.</param>
public sealed record EncodedReport(long[] InputIds, long[] PadMask, long[] LabelIds)
{
    /// <summary>The text length T.</summary>
    public int Length => InputIds.Length;
}

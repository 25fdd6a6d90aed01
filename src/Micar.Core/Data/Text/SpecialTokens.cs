namespace Micar.Data;

/// <summary>The four special tokens of the official tokenizer and their fixed ids.</summary>
public static class SpecialTokens
{
    /// <summary>Id of <c>&lt;pad&gt;</c> (also the ignore index of the loss).</summary>
    public const int PadId = 0;

    /// <summary>Id of <c>&lt;sos&gt;</c> (start of sequence).</summary>
    public const int SosId = 1;

    /// <summary>Id of <c>&lt;eos&gt;</c> (end of sequence).</summary>
    public const int EosId = 2;

    /// <summary>Id of <c>&lt;unk&gt;</c> (out-of-vocabulary word).</summary>
    public const int UnkId = 3;

    /// <summary>First id given to a regular (non-special) token.</summary>
    public const int FirstRegularId = 4;

    /// <summary>The padding token text.</summary>
    public const string Pad = "<pad>";

    /// <summary>The start-of-sequence token text.</summary>
    public const string Sos = "<sos>";

    /// <summary>The end-of-sequence token text.</summary>
    public const string Eos = "<eos>";

    /// <summary>The unknown-word token text.</summary>
    public const string Unk = "<unk>";

    /// <summary>The specials in the order the official <c>token2id.json</c> lists them: sos, eos, pad, unk.</summary>
    public static IReadOnlyList<string> FileOrder { get; } = [Sos, Eos, Pad, Unk];

    /// <summary>The special token text for ids 0–3, indexed by id.</summary>
    public static IReadOnlyList<string> ById { get; } = [Pad, Sos, Eos, Unk];

    /// <summary>Whether <paramref name="token"/> is one of the four special token texts.</summary>
    public static bool IsSpecial(string token) => token is Pad or Sos or Eos or Unk;
}

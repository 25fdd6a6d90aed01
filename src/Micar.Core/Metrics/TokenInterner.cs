namespace Micar.Metrics;

/// <summary>Maps token strings to dense integer ids (ordinal comparison) for fast n-gram counting.</summary>
internal sealed class TokenInterner
{
    private readonly Dictionary<string, int> ids = new(StringComparer.Ordinal);

    /// <summary>The ids of <paramref name="tokens"/>, assigning new ids to unseen tokens.</summary>
    public int[] Intern(IReadOnlyList<string> tokens)
    {
        var result = new int[tokens.Count];
        for (int i = 0; i < tokens.Count; i++)
        {
            if (!ids.TryGetValue(tokens[i], out int id))
            {
                id = ids.Count;
                ids[tokens[i]] = id;
            }
            result[i] = id;
        }
        return result;
    }
}

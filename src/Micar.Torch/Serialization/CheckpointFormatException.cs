namespace Micar.Torch.Serialization;

/// <summary>
/// A checkpoint file (safetensors or PyTorch <c>.pth</c>) is malformed, truncated, uses an unsupported feature
/// or holds something that may not be loaded. The message always names the file and, where one is involved,
/// the tensor key.
/// </summary>
public sealed class CheckpointFormatException : IOException
{
    /// <summary>Creates the exception; the message is prefixed with the file path and the key.</summary>
    /// <param name="filePath">The file being read or written.</param>
    /// <param name="problem">What is wrong, without the file name.</param>
    /// <param name="key">The tensor key (or entry name) concerned, if any.</param>
    /// <param name="inner">The underlying exception, if any.</param>
    public CheckpointFormatException(string filePath, string problem, string? key = null, Exception? inner = null)
        : base(Compose(filePath, problem, key), inner)
    {
        FilePath = filePath;
        Key = key;
        Problem = problem;
    }

    /// <summary>The file being read or written.</summary>
    public string FilePath { get; }

    /// <summary>The tensor key (or entry name) concerned, or null when the problem is not about one key.</summary>
    public string? Key { get; }

    /// <summary>The description of the problem, without the file name and key.</summary>
    public string Problem { get; }

    private static string Compose(string filePath, string problem, string? key) =>
        key is null ? $"{filePath}: {problem}" : $"{filePath}: tensor '{key}': {problem}";
}

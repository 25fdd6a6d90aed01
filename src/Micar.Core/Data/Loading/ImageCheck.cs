namespace Micar.Data.Loading;

/// <summary>
/// How thoroughly <see cref="CaptionDataset"/> and <see cref="Prepare"/> check images when asked to skip bad rows
/// (<see cref="CaptionDatasetOptions.Check"/>, <see cref="PrepareOptions.ImageCheck"/>).
/// </summary>
public enum ImageCheck
{
    /// <summary>
    /// Read only the start of each file: it must exist, be readable and begin like a PNG (signature and an
    /// <c>IHDR</c> chunk with a non-zero size) or a JPEG (an SOI marker). Fast, but a file corrupt or truncated
    /// further on still fails when its batch is produced.
    /// </summary>
    Header,

    /// <summary>Decode every image completely (in parallel); nothing that passes can fail later.</summary>
    Decode,
}

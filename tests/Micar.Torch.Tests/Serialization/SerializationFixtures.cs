using System.IO.Compression;
using Xunit;

namespace Micar.Torch.Tests.Serialization;

/// <summary>Paths of the committed fixtures and scratch files for the serialization tests.</summary>
internal static class SerializationFixtures
{
    /// <summary>A committed fixture from tests/fixtures/serialization (made by scripts/fixtures/make_serialization_fixtures.py).</summary>
    public static string Path(string name)
    {
        var path = System.IO.Path.Combine(AppContext.BaseDirectory, "fixtures", "serialization", name);
        Assert.True(File.Exists(path), $"missing fixture {path}");
        return path;
    }

    /// <summary>Writes a zip of stored entries, in the order given.</summary>
    public static void WriteZip(string path, params (string Name, byte[] Content)[] entries)
    {
        using var stream = File.Create(path);
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create);
        foreach (var (name, content) in entries)
        {
            using var s = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
            s.Write(content);
        }
    }
}

/// <summary>A scratch directory deleted after the test.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "micar-serial-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string File(string name) => System.IO.Path.Combine(Root, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

using System.Globalization;
using System.Text.Json;

namespace Micar.Tests.Data;

/// <summary>Access to the committed fixtures under <c>fixtures/data/</c> (made by
/// <c>scripts/fixtures/make_data_fixtures.py</c>).</summary>
internal static class DataFixtures
{
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "data", name);

    public static JsonElement Json(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(PathOf(name)));
        return doc.RootElement.Clone();
    }

    public static int Hex(string s) => int.Parse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    public static string FromHexCodePoints(string cps) =>
        string.Concat(cps.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(c => char.ConvertFromUtf32(Hex(c))));

    public static int[] Ints(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt32()).ToArray();

    private static readonly Lazy<byte[]> TinyPng = new(() => Micar.Data.Images.PngEncoder.Encode(new byte[] { 0, 85, 170, 255 }, 2, 2, 1));

    /// <summary>A fresh temporary folder, deleted when disposed.</summary>
    public sealed class TempDir : IDisposable
    {
        public TempDir() => Directory.CreateDirectory(Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "micar-data-" + Guid.NewGuid().ToString("N")));

        public string Path { get; }

        public string File(string relative, string content = "")
        {
            string p = System.IO.Path.Combine(Path, relative.Replace('/', System.IO.Path.DirectorySeparatorChar));
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(p)!);
            System.IO.File.WriteAllText(p, content);
            return p;
        }

        /// <summary>Writes a valid 2×2 grey PNG at <paramref name="relative"/> (whatever its extension).</summary>
        public string Image(string relative)
        {
            string p = File(relative);
            System.IO.File.WriteAllBytes(p, TinyPng.Value);
            return p;
        }

        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
        }
    }
}

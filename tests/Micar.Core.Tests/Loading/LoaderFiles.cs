using Micar.Data;
using Micar.Data.Images;
using Micar.Data.Loading;

namespace Micar.Tests.Loading;

/// <summary>
/// A temporary folder of small distinct test images (PNGs of varying size and content, plus one JPEG from the
/// image fixtures) with a report per image, and datasets over them. Deleted on disposal.
/// </summary>
internal sealed class LoaderFiles : IDisposable
{
    public static readonly string[] Words = ["the", "lung", "is", "clear", ".", "no", "effusion"];

    public LoaderFiles(int count, bool withJpeg = true)
    {
        Directory = Path.Combine(Path.GetTempPath(), $"micar-loader-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(Directory);
        var rows = new List<CaptionRow>();
        for (var i = 0; i < count; i++)
        {
            string path;
            if (withJpeg && i == 3)
            {
                path = Path.Combine(Directory, "img003.jpg");
                File.Copy(Path.Combine(AppContext.BaseDirectory, "fixtures", "images", "rgb_q90_420_360x270.jpg"), path);
            }
            else
            {
                path = Path.Combine(Directory, $"img{i:D3}.png");
                WritePng(path, i);
            }
            rows.Add(new CaptionRow(path, Report(i)));
        }
        Rows = rows;
    }

    public string Directory { get; }

    public List<CaptionRow> Rows { get; }

    public static Tokenizer Tokenizer { get; } = new(Vocabulary.FromRegularTokens(Words));

    /// <summary>A small deterministic transform: resize the shorter side to 10, centre-crop 8.</summary>
    public static EvalTransform Transform { get; } = new(resize: 10, crop: 8);

    public const int TextLength = 9;

    /// <summary>Report i: a distinct word sequence (lengths 1 to 12 words, so some are truncated to T − 2).</summary>
    public static string Report(int i) =>
        string.Join(' ', Enumerable.Range(0, 1 + i % 12).Select(k => k == 2 ? "pneumothorax" : Words[(i + 3 * k) % Words.Length]));

    /// <summary>Image i: size and pixels depend on i.</summary>
    public static void WritePng(string path, int i)
    {
        int width = 16 + i % 5, height = 12 + i * 3 % 7;
        var rgb = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var p = (y * width + x) * 3;
                rgb[p] = (byte)(i * 37 + x * 11);
                rgb[p + 1] = (byte)(y * 13 + i * 5);
                rgb[p + 2] = (byte)(x * y + i * 29);
            }
        }
        File.WriteAllBytes(path, TestPng.Encode(rgb, width, height));
    }

    public CaptionDataset Dataset(CaptionDatasetOptions? options = null) =>
        new(Rows, Tokenizer, Transform, TextLength, options, Directory);

    public CaptionDataset AugmentedDataset() =>
        new(Rows, Tokenizer, new TrainingAugmentation(8, new AugmentationOptions { MaxRotationDegrees = 10 }), TextLength, source: Directory);

    /// <summary>Replaces image <paramref name="i"/> by the first half of its bytes (a truncated PNG).</summary>
    public string Truncate(int i)
    {
        var path = Rows[i].ImagePath;
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        return path;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}

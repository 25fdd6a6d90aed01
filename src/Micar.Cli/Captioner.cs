using Micar.Data;
using Micar.Data.Images;
using Micar.Decoding;
using Micar.Model;
using Micar.Training;
using Micar.Torch;

namespace Micar.Cli;


/// <summary>
/// <c>micar caption</c>'s loop: images are decoded and captioned in batches of a fixed size, so memory does not grow
/// with the number of inputs, and each batch's lines are written (and flushed) as soon as it is done. An image that
/// cannot be read is reported on the error writer and left out; the rest of its batch is still captioned.
/// </summary>
sealed class Captioner(Checkpoint.Loaded checkpoint, DecodeOptions decode, ImageDecodeOptions? imageOptions = null)
{
    readonly CaptionNet net = checkpoint.Net();
    readonly Tokenizer tokenizer = new(checkpoint.Vocab);
    readonly ImageTransform transform = ImageBatcher.TransformFor(checkpoint.Spec.Vision.ImageSize);

    /// <summary>Captions <paramref name="paths"/> <paramref name="batchSize"/> at a time, writing
    /// <c>IMAGE&lt;TAB&gt;REPORT</c> lines to <paramref name="output"/> and one line per unreadable image to
    /// <paramref name="errors"/>; returns the number of unreadable images.</summary>
    public int Run(IReadOnlyList<string> paths, int batchSize, TextWriter output, TextWriter errors)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        int failed = 0;
        foreach (var chunk in paths.Chunk(batchSize))
        {
            var readable = new List<string>(chunk.Length);
            foreach (var p in chunk)
            {
                if (Problem(p) is { } problem) { errors.WriteLine($"micar: {problem}"); failed++; }
                else readable.Add(p);
            }
            using var scope = Libtorch.NewScope();
            var (loaded, images) = Load(readable, errors);
            failed += readable.Count - loaded.Count;
            if (loaded.Count == 0) continue;
            var hyps = ReportDecoder.Generate(net, images!, decode);
            for (int i = 0; i < loaded.Count; i++)
                output.WriteLine($"{TsvField(loaded[i])}\t{TsvField(tokenizer.Decode(hyps[i].Tokens))}");
            output.Flush();
        }
        return failed;
    }

    /// <summary>Why <paramref name="path"/> cannot be an image before it is opened, or null.</summary>
    static string? Problem(string path) =>
        Directory.Exists(path) ? $"image '{path}' is a directory, not an image file"
        : !File.Exists(path) ? $"image '{path}' does not exist"
        : null;

    /// <summary>The batch as one tensor; when some image fails, each is decoded alone so that only the bad ones drop out.</summary>
    (List<string> Loaded, Micar.Torch.Tensor? Images) Load(List<string> paths, TextWriter errors)
    {
        if (paths.Count == 0) return (paths, null);
        try { return (paths, ImageBatcher.Load(paths, transform, decodeOptions: imageOptions)); }
        catch (Exception e) when (IsUnreadable(e)) { }
        var good = new List<string>(paths.Count);
        var tensors = new List<Micar.Torch.Tensor>(paths.Count);
        foreach (var p in paths)
        {
            try { tensors.Add(ImageBatcher.Load([p], transform, decodeOptions: imageOptions)); good.Add(p); }
            catch (Exception e) when (IsUnreadable(e)) { errors.WriteLine($"micar: {CliRunner.Message(e)}"); }
        }
        return (good, good.Count == 0 ? null : Libtorch.Cat(tensors.ToArray(), 0));
    }

    static bool IsUnreadable(Exception e) => e is ImageDecodeException or IOException or UnauthorizedAccessException;

    /// <summary>A field of caption's TSV output: TAB, CR, LF and backslash escaped as <c>\t \r \n \\</c>, so that a file
    /// name holding them cannot break the one-line-per-image format.</summary>
    internal static string TsvField(string text)
    {
        if (text.AsSpan().IndexOfAny("\t\r\n\\") < 0) return text;
        var sb = new System.Text.StringBuilder(text.Length + 8);
        foreach (var c in text)
            sb.Append(c switch { '\t' => "\\t", '\r' => "\\r", '\n' => "\\n", '\\' => "\\\\", _ => c.ToString() });
        return sb.ToString();
    }
}

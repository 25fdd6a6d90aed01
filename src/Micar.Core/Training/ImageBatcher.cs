using System.Runtime.ExceptionServices;
using Micar.Data.Images;
using Micar.Torch;

namespace Micar.Training;


/// <summary>
/// Decodes and transforms a set of images in parallel into one float32 tensor [n, 3, H, W], with bounded
/// memory: at most <see cref="Environment.ProcessorCount"/> images at once, and fewer when their estimated
/// working memory (<see cref="WorkingBytes"/>, read from each header before decoding) would exceed
/// <see cref="DefaultMemoryBudgetBytes"/>. Each decoded image is released as soon as it is transformed.
/// </summary>
public static class ImageBatcher
{
    /// <summary>Working memory of the images decoded at once: 2 GiB (one larger image runs alone).</summary>
    public const long DefaultMemoryBudgetBytes = DecodeBudget.DefaultBytes;

    /// <summary>The transform a spec's image size implies: the official 232→224 evaluation transform, scaled.</summary>
    public static ImageTransform TransformFor(int imageSize) =>
        imageSize == 224 ? ImageTransform.OfficialEval : new EvalTransform((int)Math.Round(imageSize * 232.0 / 224.0), imageSize);

    /// <summary>Loads <paramref name="paths"/>; a bad file raises <see cref="ImageDecodeException"/> naming it.
    /// With <paramref name="blank"/> every image is zero (the text-only baseline).</summary>
    /// <param name="paths">Image files.</param>
    /// <param name="transform">Turns each decoded image into CHW floats.</param>
    /// <param name="blank">Return zeros without reading the files.</param>
    /// <param name="decodeOptions">Decoder limits and 16-bit mapping (default <see cref="ImageDecodeOptions.Default"/>).</param>
    public static Tensor Load(IReadOnlyList<string> paths, ImageTransform transform, bool blank = false, ImageDecodeOptions? decodeOptions = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(transform);
        var t = Libtorch.Zeros([paths.Count, 3, transform.OutputHeight, transform.OutputWidth]);
        if (blank) return t;
        try
        {
            var buffers = Decode(paths, transform, decodeOptions ?? ImageDecodeOptions.Default,
                new DecodeBudget(DefaultMemoryBudgetBytes), Environment.ProcessorCount);
            int len = transform.OutputLength;
            var span = t.AsSpan<float>();
            for (int i = 0; i < paths.Count; i++) buffers[i].CopyTo(span.Slice(i * len, len));
            return t;
        }
        catch
        {
            t.Dispose();
            throw;
        }
    }

    /// <summary>
    /// An estimate of the memory one image takes while it is decoded and transformed: the decoder's pixel
    /// buffers (<see cref="ImageInfo.DecodeBytes"/>), the RGB copy unless it decodes as RGB, and the resize's
    /// intermediate rows (at most every input row, output-width wide).
    /// </summary>
    public static long WorkingBytes(ImageInfo info, ImageTransform transform)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(transform);
        return DecodeBudget.WorkingBytes(info, transform.OutputWidth);
    }

    /// <summary>
    /// Decodes and transforms every image with at most <paramref name="maxParallelism"/> (and
    /// <see cref="Environment.ProcessorCount"/>) at once, each admitted by <paramref name="budget"/>;
    /// <paramref name="whileAdmitted"/> (a test hook) runs in each admitted image's slot before it is decoded.
    /// </summary>
    internal static float[][] Decode(IReadOnlyList<string> paths, ImageTransform transform, ImageDecodeOptions options,
        DecodeBudget budget, int maxParallelism, Action? whileAdmitted = null)
    {
        var buffers = new float[paths.Count][];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Clamp(maxParallelism, 1, Environment.ProcessorCount) };
        try
        {
            Parallel.For(0, paths.Count, parallel, i => buffers[i] = DecodeOne(paths[i], transform, options, budget, whileAdmitted));
        }
        catch (AggregateException e)
        {
            // Surface the first failure itself (e.g. ImageDecodeException naming the file), not the wrapper.
            ExceptionDispatchInfo.Capture(e.Flatten().InnerExceptions[0]).Throw();
            throw;
        }
        return buffers;
    }

    private static float[] DecodeOne(string path, ImageTransform transform, ImageDecodeOptions options, DecodeBudget budget, Action? whileAdmitted)
    {
        var file = ImageIO.ReadFile(path);
        var info = ImageIO.Inspect(file, path, options);
        long bytes = WorkingBytes(info, transform);
        using (budget.Enter(bytes))
        {
            whileAdmitted?.Invoke();
            // Only the RGB image stays referenced while the transform runs; the decoded one is garbage already.
            var result = transform.Apply(ImageIO.Decode(file, path, options).ToRgb());
            DecodeBudget.Released(bytes);
            return result;
        }
    }
}

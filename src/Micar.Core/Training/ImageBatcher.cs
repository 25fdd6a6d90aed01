using Micar.Data.Images;
using Micar.Torch;

namespace Micar.Training;

using Torch = Micar.Torch.Torch;

/// <summary>Decodes and transforms a set of images in parallel into one float32 tensor [n, 3, H, W].</summary>
public static class ImageBatcher
{
    /// <summary>The transform a spec's image size implies: the official 232→224 evaluation transform, scaled.</summary>
    public static ImageTransform TransformFor(int imageSize) =>
        imageSize == 224 ? ImageTransform.OfficialEval : new EvalTransform((int)Math.Round(imageSize * 232.0 / 224.0), imageSize);

    /// <summary>Loads <paramref name="paths"/>; a bad file raises <see cref="ImageDecodeException"/> naming it.
    /// With <paramref name="blank"/> every image is zero (the text-only baseline).</summary>
    public static Tensor Load(IReadOnlyList<string> paths, ImageTransform transform, bool blank = false)
    {
        var t = Torch.Zeros([paths.Count, 3, transform.OutputHeight, transform.OutputWidth]);
        if (blank) return t;
        int len = transform.OutputLength;
        var buffers = new float[paths.Count][];
        Parallel.For(0, paths.Count, i => buffers[i] = transform.Apply(ImageIO.Load(paths[i]).ToRgb()));
        var span = t.AsSpan<float>();
        for (int i = 0; i < paths.Count; i++) buffers[i].CopyTo(span.Slice(i * len, len));
        return t;
    }
}

using System.Buffers;

namespace Micar.Data.Images;

/// <summary>
/// Pillow's <c>Image.resize(size, Image.BILINEAR)</c>, reproduced bit for bit: a separable triangle filter
/// whose support grows with the downscale factor (so downscaling is antialiased), fixed-point weights with
/// 22 fractional bits, a horizontal pass then a vertical pass, each rounding and clipping to 8 bits.
/// </summary>
/// <remarks>
/// As in Pillow, an axis whose size does not change is not resampled at all. The crop variants return
/// exactly the corresponding region of the full resize but only compute that region (and only the input
/// rows it depends on). Images with alpha are refused: Pillow premultiplies alpha before resampling them,
/// which this class does not reproduce — convert with <see cref="Image.ToRgb"/> first, as the official
/// pipeline does.
/// </remarks>
public static class PillowResize
{
    /// <summary>Resizes <paramref name="image"/> to <paramref name="width"/> × <paramref name="height"/>.</summary>
    public static Image Bilinear(Image image, int width, int height) =>
        BilinearCrop(image, width, height, 0, 0, width, height);

    /// <summary>
    /// The <paramref name="cropWidth"/> × <paramref name="cropHeight"/> region at
    /// (<paramref name="left"/>, <paramref name="top"/>) of <paramref name="image"/> resized to
    /// <paramref name="width"/> × <paramref name="height"/>.
    /// </summary>
    public static Image BilinearCrop(Image image, int width, int height, int left, int top, int cropWidth, int cropHeight)
    {
        ArgumentNullException.ThrowIfNull(image);
        var pixels = new byte[checked(cropWidth * cropHeight * image.Channels)];
        BilinearCrop(image, width, height, left, top, cropWidth, cropHeight, pixels);
        return new Image(cropWidth, cropHeight, image.Mode, pixels);
    }

    /// <summary>As <see cref="BilinearCrop(Image,int,int,int,int,int,int)"/>, writing the samples into <paramref name="destination"/>.</summary>
    public static void BilinearCrop(Image image, int width, int height, int left, int top, int cropWidth, int cropHeight, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Mode.HasAlpha())
            throw new ArgumentException($"Cannot resize a {image.Mode} image: Pillow premultiplies alpha when resizing; convert with ToRgb() first.", nameof(image));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cropWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cropHeight);
        if (left < 0 || top < 0 || left + cropWidth > width || top + cropHeight > height)
            throw new ArgumentOutOfRangeException(nameof(left),
                $"Crop {cropWidth}x{cropHeight} at ({left}, {top}) does not fit in the {width}x{height} output.");
        var channels = image.Channels;
        var rowLength = cropWidth * channels;
        if (destination.Length < rowLength * cropHeight)
            throw new ArgumentException($"Destination holds {destination.Length} bytes, {rowLength * cropHeight} needed.", nameof(destination));

        var horizontal = width != image.Width ? BilinearKernel.Create(image.Width, width) : null;
        var vertical = height != image.Height ? BilinearKernel.Create(image.Height, height) : null;

        if (vertical is null)
        {
            HorizontalPass(image, horizontal, top, cropHeight, left, cropWidth, destination);
            return;
        }

        // Input rows the requested output rows depend on.
        var firstRow = vertical.Start[top];
        var endRow = 0;
        for (var y = top; y < top + cropHeight; y++)
            endRow = Math.Max(endRow, vertical.Start[y] + vertical.Count[y]);
        var rows = endRow - firstRow;
        var temp = ArrayPool<byte>.Shared.Rent(rows * rowLength);
        try
        {
            HorizontalPass(image, horizontal, firstRow, rows, left, cropWidth, temp);
            VerticalPass(temp, rowLength, firstRow, vertical, top, cropHeight, destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(temp);
        }
    }

    /// <summary>Rows <c>firstRow..firstRow+rows</c>, output columns <c>left..left+cropWidth</c>.</summary>
    private static void HorizontalPass(Image image, BilinearKernel? kernel, int firstRow, int rows, int left, int cropWidth, Span<byte> output)
    {
        var channels = image.Channels;
        var stride = image.Stride;
        var rowLength = cropWidth * channels;
        var source = image.Pixels.AsSpan();
        for (var r = 0; r < rows; r++)
        {
            var inRow = source.Slice((firstRow + r) * stride, stride);
            var outRow = output.Slice(r * rowLength, rowLength);
            if (kernel is null)
            {
                inRow.Slice(left * channels, rowLength).CopyTo(outRow);
            }
            else if (channels == 3)
            {
                HorizontalRow3(inRow, kernel, left, cropWidth, outRow);
            }
            else
            {
                HorizontalRow(inRow, channels, kernel, left, cropWidth, outRow);
            }
        }
    }

    private static void HorizontalRow3(ReadOnlySpan<byte> inRow, BilinearKernel kernel, int left, int cropWidth, Span<byte> outRow)
    {
        var weights = kernel.Weights.AsSpan();
        for (var x = 0; x < cropWidth; x++)
        {
            var o = left + x;
            var k = weights.Slice(o * kernel.Taps, kernel.Count[o]);
            var p = inRow[(kernel.Start[o] * 3)..];
            int s0 = BilinearKernel.Half, s1 = BilinearKernel.Half, s2 = BilinearKernel.Half;
            for (var t = 0; t < k.Length; t++)
            {
                var w = k[t];
                s0 += p[3 * t] * w;
                s1 += p[3 * t + 1] * w;
                s2 += p[3 * t + 2] * w;
            }
            outRow[3 * x] = BilinearKernel.Clip(s0);
            outRow[3 * x + 1] = BilinearKernel.Clip(s1);
            outRow[3 * x + 2] = BilinearKernel.Clip(s2);
        }
    }

    private static void HorizontalRow(ReadOnlySpan<byte> inRow, int channels, BilinearKernel kernel, int left, int cropWidth, Span<byte> outRow)
    {
        var weights = kernel.Weights.AsSpan();
        for (var x = 0; x < cropWidth; x++)
        {
            var o = left + x;
            var k = weights.Slice(o * kernel.Taps, kernel.Count[o]);
            var p = inRow[(kernel.Start[o] * channels)..];
            for (var c = 0; c < channels; c++)
            {
                var s = BilinearKernel.Half;
                for (var t = 0; t < k.Length; t++)
                    s += p[channels * t + c] * k[t];
                outRow[channels * x + c] = BilinearKernel.Clip(s);
            }
        }
    }

    /// <summary>Output rows <c>top..top+cropHeight</c> from <paramref name="input"/>, whose row 0 is image row <paramref name="firstRow"/>.</summary>
    private static void VerticalPass(ReadOnlySpan<byte> input, int rowLength, int firstRow, BilinearKernel kernel, int top, int cropHeight, Span<byte> output)
    {
        var sums = ArrayPool<int>.Shared.Rent(rowLength);
        try
        {
            var acc = sums.AsSpan(0, rowLength);
            var weights = kernel.Weights.AsSpan();
            for (var y = 0; y < cropHeight; y++)
            {
                var o = top + y;
                var k = weights.Slice(o * kernel.Taps, kernel.Count[o]);
                var first = kernel.Start[o] - firstRow;
                acc.Fill(BilinearKernel.Half);
                for (var t = 0; t < k.Length; t++)
                {
                    var w = k[t];
                    var row = input.Slice((first + t) * rowLength, rowLength);
                    for (var i = 0; i < row.Length; i++)
                        acc[i] += row[i] * w;
                }
                var outRow = output.Slice(y * rowLength, rowLength);
                for (var i = 0; i < outRow.Length; i++)
                    outRow[i] = BilinearKernel.Clip(acc[i]);
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(sums);
        }
    }
}

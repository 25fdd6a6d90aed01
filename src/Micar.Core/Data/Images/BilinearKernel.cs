namespace Micar.Data.Images;

/// <summary>
/// Fixed-point weights of Pillow's antialiased bilinear resampling along one axis
/// (<c>libImaging/Resample.c</c>: <c>precompute_coeffs</c> then <c>normalize_coeffs_8bpc</c>).
/// </summary>
/// <remarks>
/// Output sample <c>i</c> is centred on input coordinate <c>c = (i + 0.5)·scale</c>, <c>scale = in/out</c>.
/// The triangle filter <c>max(0, 1 − |t|)</c> is stretched by <c>s = max(scale, 1)</c> so that downscaling
/// averages over the whole footprint (antialiasing): it covers inputs <c>j</c> from
/// <c>trunc(c − s + 0.5)</c> (at least 0) up to, excluding, <c>trunc(c + s + 0.5)</c> (at most <c>in</c>),
/// with weight <c>filter((j − c + 0.5)/s)</c>, normalised to sum 1 in double precision and then rounded
/// half away from zero to integers with <see cref="PrecisionBits"/> fractional bits.
/// </remarks>
internal sealed class BilinearKernel
{
    /// <summary>Fractional bits of the weights: Pillow's <c>32 − 8 − 2</c>.</summary>
    public const int PrecisionBits = 22;

    /// <summary>The rounding term added before the final shift.</summary>
    public const int Half = 1 << (PrecisionBits - 1);

    private BilinearKernel(int outputSize, int taps, int[] start, int[] count, int[] weights)
    {
        OutputSize = outputSize;
        Taps = taps;
        Start = start;
        Count = count;
        Weights = weights;
    }

    /// <summary>Number of output samples.</summary>
    public int OutputSize { get; }

    /// <summary>Stride of <see cref="Weights"/> per output sample (Pillow's <c>ksize</c>).</summary>
    public int Taps { get; }

    /// <summary>First input index read by each output sample.</summary>
    public int[] Start { get; }

    /// <summary>Number of input samples read by each output sample.</summary>
    public int[] Count { get; }

    /// <summary><c>OutputSize × Taps</c> fixed-point weights; entries past <see cref="Count"/> are 0.</summary>
    public int[] Weights { get; }

    /// <summary>The kernel that maps <paramref name="inputSize"/> samples to <paramref name="outputSize"/>.</summary>
    public static BilinearKernel Create(int inputSize, int outputSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputSize);
        var scale = (double)inputSize / outputSize;
        var filterScale = Math.Max(scale, 1.0);
        var support = 1.0 * filterScale;               // the triangle filter's support is 1
        var taps = (int)Math.Ceiling(support) * 2 + 1;
        var start = new int[outputSize];
        var count = new int[outputSize];
        var weights = new int[outputSize * taps];
        var k = new double[taps];
        var invFilterScale = 1.0 / filterScale;
        for (var i = 0; i < outputSize; i++)
        {
            var center = (i + 0.5) * scale;
            var min = Math.Max((int)(center - support + 0.5), 0);
            var max = Math.Min((int)(center + support + 0.5), inputSize) - min;
            var total = 0.0;
            for (var j = 0; j < max; j++)
            {
                var w = Triangle((j + min - center + 0.5) * invFilterScale);
                k[j] = w;
                total += w;
            }
            for (var j = 0; j < max; j++)
            {
                var w = total != 0.0 ? k[j] / total : k[j];
                weights[i * taps + j] = w < 0
                    ? (int)(-0.5 + w * (1 << PrecisionBits))
                    : (int)(0.5 + w * (1 << PrecisionBits));
            }
            start[i] = min;
            count[i] = max;
        }
        return new BilinearKernel(outputSize, taps, start, count, weights);
    }

    /// <summary>Converts an accumulated fixed-point sum to a sample, clipping to 0..255.</summary>
    public static byte Clip(int sum)
    {
        var v = sum >> PrecisionBits;
        return v < 0 ? (byte)0 : v > 255 ? (byte)255 : (byte)v;
    }

    private static double Triangle(double t)
    {
        if (t < 0)
            t = -t;
        return t < 1.0 ? 1.0 - t : 0.0;
    }
}

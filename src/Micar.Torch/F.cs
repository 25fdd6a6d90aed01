namespace Micar.Torch;

/// <summary>Interpolation modes of <see cref="F.Interpolate"/>.</summary>
public enum InterpolationMode
{
    /// <summary>Nearest neighbour (PyTorch's legacy <c>nearest</c>).</summary>
    Nearest,
    /// <summary>Bilinear.</summary>
    Bilinear,
}

/// <summary>Loss reductions (values are ATen's <c>Reduction</c> codes).</summary>
public enum Reduction
{
    /// <summary>Per-element losses.</summary>
    None = 0,
    /// <summary>Mean over (non-ignored) elements.</summary>
    Mean = 1,
    /// <summary>Sum over elements.</summary>
    Sum = 2,
}

/// <summary>Neural-network functions (PyTorch's <c>torch.nn.functional</c>).</summary>
public static partial class F
{
    /// <summary><c>x·Wᵀ + b</c> with <c>W [out, in]</c>.</summary>
    /// <remarks>A few rows (at most <see cref="LinearRowsMax"/>: a beam-search step) times a weight of at least
    /// <see cref="LinearRowsMinWeights"/> elements, on the CPU in float32 without autograd, go to
    /// <c>micar::linear_rows</c>: it reads each weight once where BLAS GEMM first packs the whole weight matrix
    /// (faster for these sizes; the measurements are in the README's benchmark section). Sums run in another order
    /// (differences ~1e-6 relative).</remarks>
    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias = null) =>
        UseLinearRows(input, weight, bias) ? LinearRowsOp.Call(input, weight, bias) : Ops.Linear.Call(input, weight, bias);

    /// <summary>Most rows (product of the input's leading sizes) that <see cref="Linear"/> sends to the few-rows kernel.</summary>
    public const long LinearRowsMax = 4;

    /// <summary>Fewest weight elements (1 MiB of float32) for the few-rows kernel: smaller weights stay in cache,
    /// where GEMM's packing costs little and its kernel is faster.</summary>
    public const long LinearRowsMinWeights = 1 << 18;

    static readonly Op LinearRowsOp = new("micar::linear_rows");

    static bool UseLinearRows(Tensor input, Tensor weight, Tensor? bias)
    {
        var (xt, xd, xg) = input.Meta();
        if (xt != DType.Float32 || xd != DeviceType.Cpu) return false;
        var (wt, wd, wg) = weight.Meta();
        if (wt != DType.Float32 || wd != DeviceType.Cpu) return false;
        bool bg = false;
        if (bias is not null)
        {
            (var bt, var bd, bg) = bias.Meta();
            if (bt != DType.Float32 || bd != DeviceType.Cpu) return false;
        }
        if ((xg || wg || bg) && Autograd.IsGradEnabled) return false;                // the kernel has no backward
        var ws = weight.Shape;
        if (ws.Length != 2) return false;
        long n = input.Numel;
        if (ws[0] * ws[1] < LinearRowsMinWeights || n % ws[1] != 0 || n / ws[1] > LinearRowsMax) return false;
        return !Autograd.IsAutocastEnabled(DeviceType.Cpu);                           // autocast would run ATen's linear in bf16
    }

    /// <summary>2-d convolution of <c>[b, c, h, w]</c> input with <c>[out, c/groups, kh, kw]</c> weights.</summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0,
        long dilation = 1, long groups = 1) =>
        Ops.Conv2d.Call(input, weight, bias, new[] { stride, stride }, new[] { padding, padding }, new[] { dilation, dilation }, groups);

    /// <summary>Batch normalisation. In training mode batch statistics are used and the running statistics
    /// (when given) are updated in place with <paramref name="momentum"/>; in eval mode the running ones are used.</summary>
    public static Tensor BatchNorm(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight = null, Tensor? bias = null,
        bool training = false, double momentum = 0.1, double eps = 1e-5) =>
        Ops.BatchNorm.Call(input, weight, bias, runningMean, runningVar, training, momentum, eps, true);

    /// <summary>Layer normalisation over the trailing <paramref name="normalizedShape"/>.</summary>
    public static Tensor LayerNorm(Tensor input, long[] normalizedShape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5) =>
        Ops.LayerNorm.Call(input, normalizedShape, weight, bias, eps);

    /// <summary>2-d max pooling.</summary>
    public static Tensor MaxPool2d(Tensor input, long kernelSize, long? stride = null, long padding = 0, long dilation = 1, bool ceilMode = false) =>
        Ops.MaxPool2d.Call(input, new[] { kernelSize, kernelSize }, new[] { stride ?? kernelSize, stride ?? kernelSize },
            new[] { padding, padding }, new[] { dilation, dilation }, ceilMode);

    /// <summary>2-d average pooling.</summary>
    public static Tensor AvgPool2d(Tensor input, long kernelSize, long? stride = null, long padding = 0) =>
        Ops.AvgPool2d.Call(input, new[] { kernelSize, kernelSize }, new[] { stride ?? kernelSize, stride ?? kernelSize }, new[] { padding, padding });

    /// <summary>Adaptive average pooling to an output grid (PyTorch's bins ⌊i·H/o⌋ … ⌈(i+1)·H/o⌉).</summary>
    public static Tensor AdaptiveAvgPool2d(Tensor input, long outH, long outW) => Ops.AdaptiveAvgPool2d.Call(input, new[] { outH, outW });

    /// <summary>Resizes <c>[b, c, h, w]</c> to an explicit size (PyTorch's <c>F.interpolate(size=…)</c>).
    /// <paramref name="antialias"/> applies to bilinear downsampling, as in torchvision's resize.</summary>
    public static Tensor Interpolate(Tensor input, long outH, long outW, InterpolationMode mode = InterpolationMode.Nearest,
        bool alignCorners = false, bool antialias = false)
    {
        var size = new[] { outH, outW };
        return mode switch
        {
            InterpolationMode.Nearest when antialias || alignCorners =>
                throw new ArgumentException("nearest interpolation takes neither alignCorners nor antialias"),
            InterpolationMode.Nearest => Ops.UpsampleNearest2d.Call(input, size, Arg.None),
            InterpolationMode.Bilinear when antialias => Ops.UpsampleBilinear2dAa.Call(input, size, alignCorners, Arg.None),
            _ => Ops.UpsampleBilinear2d.Call(input, size, alignCorners, Arg.None),
        };
    }

    /// <summary>Rows of <paramref name="weight"/> picked by int64 <paramref name="indices"/>.</summary>
    public static Tensor Embedding(Tensor indices, Tensor weight, long paddingIdx = -1) => Ops.Embedding.Call(weight, indices, paddingIdx);

    /// <summary>Dropout: in training, zeroes elements with probability <paramref name="p"/> and scales the rest by
    /// 1/(1−p); identity otherwise. With a <paramref name="generator"/> the mask is drawn from it (reproducible
    /// per generator); without one, from the default generator.</summary>
    public static Tensor Dropout(Tensor input, double p, bool training, Generator? generator = null)
    {
        if (p < 0 || p > 1) throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must lie in [0, 1]");
        if (!training || p == 0) return input.Alias();
        if (p == 1) return Libtorch.ZerosLike(input);
        var (dtype, device, _) = input.Meta();
        if (device == DeviceType.Cpu)
        {
            // A scaled mask drawn in parallel (micar::dropout_mask: counter-based, one generator draw per call), then
            // one product (one autograd node).
            using var cpuMask = DropoutMaskOp.Call(input.Shape, p, dtype, generator);
            return input.Mul(cpuMask);
        }
        if (generator is null) return Ops.Dropout.Call(input, p, true);
        using var mask = Libtorch.EmptyLike(input);
        mask.Bernoulli_(1 - p, generator).Div_(1 - p);
        return input.Mul(mask);
    }

    static readonly Op DropoutMaskOp = new("micar::dropout_mask");

    /// <summary>Cross-entropy of logits <c>[n, C]</c> (or <c>[n, C, …]</c>) against int64 class targets.</summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor target, long ignoreIndex = -100, Reduction reduction = Reduction.Mean,
        double labelSmoothing = 0, Tensor? weight = null) =>
        Ops.CrossEntropy.Call(logits, target, weight, (long)reduction, ignoreIndex, labelSmoothing);

    /// <summary>Negative log-likelihood of log-probabilities <c>[n, C]</c>.</summary>
    public static Tensor NllLoss(Tensor logProbs, Tensor target, long ignoreIndex = -100, Reduction reduction = Reduction.Mean) =>
        Ops.NllLoss.Call(logProbs, target, Arg.None, (long)reduction, ignoreIndex);

    /// <summary>One-hot encoding of int64 classes.</summary>
    public static Tensor OneHot(Tensor classes, long numClasses = -1) => Ops.OneHot.Call(classes, numClasses);

    /// <summary>max(x, 0).</summary>
    public static Tensor Relu(Tensor x) => x.Relu();
    /// <summary>x·σ(x).</summary>
    public static Tensor Silu(Tensor x) => x.Silu();
    /// <summary>Exact GELU.</summary>
    public static Tensor Gelu(Tensor x) => x.Gelu();
    /// <summary>SELU.</summary>
    public static Tensor Selu(Tensor x) => x.Selu();
    /// <summary>σ(x).</summary>
    public static Tensor Sigmoid(Tensor x) => x.Sigmoid();
    /// <summary>tanh(x).</summary>
    public static Tensor Tanh(Tensor x) => x.Tanh();
    /// <summary>Softmax along a dimension.</summary>
    public static Tensor Softmax(Tensor x, long dim) => x.Softmax(dim);
    /// <summary>Log-softmax along a dimension.</summary>
    public static Tensor LogSoftmax(Tensor x, long dim) => x.LogSoftmax(dim);
}

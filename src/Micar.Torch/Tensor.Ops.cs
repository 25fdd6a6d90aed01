namespace Micar.Torch;

public sealed partial class Tensor
{
    // ------------------------------------------------------------------------------------------------
    // Arithmetic with broadcasting

    /// <summary><c>this + alpha·other</c>.</summary>
    public Tensor Add(Tensor other, double alpha = 1) => alpha == 1 ? Ops.AddT.Call(this, other) : Ops.AddT.Call(this, other, alpha);
    /// <summary><c>this + value</c>.</summary>
    public Tensor Add(double value) => Ops.AddS.Call(this, value);
    /// <summary><c>this + value</c> (an integer: keeps integer tensors integral).</summary>
    public Tensor Add(long value) => Ops.AddS.Call(this, value);
    /// <summary><c>this − alpha·other</c>.</summary>
    public Tensor Sub(Tensor other, double alpha = 1) => alpha == 1 ? Ops.SubT.Call(this, other) : Ops.SubT.Call(this, other, alpha);
    /// <summary><c>this − value</c>.</summary>
    public Tensor Sub(double value) => Ops.SubS.Call(this, value);
    /// <summary>Element-wise product.</summary>
    public Tensor Mul(Tensor other) => Ops.MulT.Call(this, other);
    /// <summary><c>this · value</c>.</summary>
    public Tensor Mul(double value) => Ops.MulS.Call(this, value);
    /// <summary>Element-wise true division.</summary>
    public Tensor Div(Tensor other) => Ops.DivT.Call(this, other);
    /// <summary><c>this / value</c>.</summary>
    public Tensor Div(double value) => Ops.DivS.Call(this, value);
    /// <summary><c>−this</c>.</summary>
    public Tensor Neg() => Ops.Neg.Call(this);
    /// <summary><c>this ^ exponent</c>.</summary>
    public Tensor Pow(double exponent) => Ops.PowS.Call(this, exponent);
    /// <summary>Element-wise power.</summary>
    public Tensor Pow(Tensor exponent) => Ops.PowT.Call(this, exponent);
    /// <summary>Matrix product with broadcasting (PyTorch's <c>matmul</c>).</summary>
    public Tensor Matmul(Tensor other) => Ops.Matmul.Call(this, other);
    /// <summary>Batched matrix product of 3-d tensors.</summary>
    public Tensor Bmm(Tensor other) => Ops.Bmm.Call(this, other);
    /// <summary>Product of 2-d matrices.</summary>
    public Tensor Mm(Tensor other) => Ops.Mm.Call(this, other);
    /// <summary>Element-wise maximum.</summary>
    public Tensor Maximum(Tensor other) => Ops.Maximum.Call(this, other);
    /// <summary>Element-wise minimum.</summary>
    public Tensor Minimum(Tensor other) => Ops.Minimum.Call(this, other);
    /// <summary>Clamps into [min, max]; null bounds are open.</summary>
    public Tensor Clamp(double? min = null, double? max = null) => Ops.Clamp.Call(this, Arg.Of(min), Arg.Of(max));

    /// <summary>Element-wise sum.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => a.Add(b);
    /// <summary>Adds a scalar.</summary>
    public static Tensor operator +(Tensor a, double b) => a.Add(b);
    /// <summary>Adds a scalar.</summary>
    public static Tensor operator +(double a, Tensor b) => b.Add(a);
    /// <summary>Element-wise difference.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => a.Sub(b);
    /// <summary>Subtracts a scalar.</summary>
    public static Tensor operator -(Tensor a, double b) => a.Sub(b);
    /// <summary><c>a − b</c> for a scalar a.</summary>
    public static Tensor operator -(double a, Tensor b) => Ops.RsubS.Call(b, a);
    /// <summary>Negation.</summary>
    public static Tensor operator -(Tensor a) => a.Neg();
    /// <summary>Element-wise product.</summary>
    public static Tensor operator *(Tensor a, Tensor b) => a.Mul(b);
    /// <summary>Scales by a scalar.</summary>
    public static Tensor operator *(Tensor a, double b) => a.Mul(b);
    /// <summary>Scales by a scalar.</summary>
    public static Tensor operator *(double a, Tensor b) => b.Mul(a);
    /// <summary>Element-wise quotient.</summary>
    public static Tensor operator /(Tensor a, Tensor b) => a.Div(b);
    /// <summary>Divides by a scalar.</summary>
    public static Tensor operator /(Tensor a, double b) => a.Div(b);
    /// <summary><c>a / b</c> for a scalar a.</summary>
    public static Tensor operator /(double a, Tensor b)
    {
        using var r = b.Reciprocal();
        return r.Mul(a);
    }

    /// <summary><c>1 / this</c>.</summary>
    public Tensor Reciprocal() => Ops.PowS.Call(this, -1.0);

    // ------------------------------------------------------------------------------------------------
    // Pointwise functions

    /// <summary>e^x.</summary>
    public Tensor Exp() => Ops.Exp.Call(this);
    /// <summary>Natural logarithm.</summary>
    public Tensor Log() => Ops.Log.Call(this);
    /// <summary>Square root.</summary>
    public Tensor Sqrt() => Ops.Sqrt.Call(this);
    /// <summary>1/√x.</summary>
    public Tensor Rsqrt() => Ops.Rsqrt.Call(this);
    /// <summary>Absolute value.</summary>
    public Tensor Abs() => Ops.Abs.Call(this);
    /// <summary>Sine.</summary>
    public Tensor Sin() => Ops.Sin.Call(this);
    /// <summary>Cosine.</summary>
    public Tensor Cos() => Ops.Cos.Call(this);
    /// <summary>Sign (−1, 0, 1).</summary>
    public Tensor Sign() => Ops.Sign.Call(this);
    /// <summary>max(x, 0).</summary>
    public Tensor Relu() => Ops.Relu.Call(this);
    /// <summary>x·σ(x).</summary>
    public Tensor Silu() => Ops.Silu.Call(this);
    /// <summary>GELU, exact (erf) unless <paramref name="tanhApproximation"/>.</summary>
    public Tensor Gelu(bool tanhApproximation = false) => Ops.Gelu.Call(this, tanhApproximation ? "tanh" : "none");
    /// <summary>SELU with PyTorch's constants.</summary>
    public Tensor Selu() => Ops.Selu.Call(this);
    /// <summary>Logistic sigmoid.</summary>
    public Tensor Sigmoid() => Ops.Sigmoid.Call(this);
    /// <summary>Hyperbolic tangent.</summary>
    public Tensor Tanh() => Ops.Tanh.Call(this);
    /// <summary>Softmax along <paramref name="dim"/>.</summary>
    public Tensor Softmax(long dim, DType? dtype = null) => Ops.Softmax.Call(this, dim, Arg.Of(dtype));
    /// <summary>Log-softmax along <paramref name="dim"/>.</summary>
    public Tensor LogSoftmax(long dim, DType? dtype = null) => Ops.LogSoftmax.Call(this, dim, Arg.Of(dtype));

    // ------------------------------------------------------------------------------------------------
    // Comparison and logic

    /// <summary>Element-wise equality.</summary>
    public Tensor Eq(Tensor other) => Ops.EqT.Call(this, other);
    /// <summary>Element-wise equality with a scalar.</summary>
    public Tensor Eq(double value) => Ops.EqS.Call(this, value);
    /// <summary>Element-wise inequality.</summary>
    public Tensor Ne(Tensor other) => Ops.NeT.Call(this, other);
    /// <summary>Element-wise inequality with a scalar.</summary>
    public Tensor Ne(double value) => Ops.NeS.Call(this, value);
    /// <summary>this &lt; value.</summary>
    public Tensor Lt(double value) => Ops.LtS.Call(this, value);
    /// <summary>this &lt; other.</summary>
    public Tensor Lt(Tensor other) => Ops.LtT.Call(this, other);
    /// <summary>this &gt; value.</summary>
    public Tensor Gt(double value) => Ops.GtS.Call(this, value);
    /// <summary>this &gt; other.</summary>
    public Tensor Gt(Tensor other) => Ops.GtT.Call(this, other);
    /// <summary>this ≤ value.</summary>
    public Tensor Le(double value) => Ops.LeS.Call(this, value);
    /// <summary>this ≥ value.</summary>
    public Tensor Ge(double value) => Ops.GeS.Call(this, value);
    /// <summary>Element-wise logical and.</summary>
    public Tensor LogicalAnd(Tensor other) => Ops.LogicalAnd.Call(this, other);
    /// <summary>Element-wise logical or.</summary>
    public Tensor LogicalOr(Tensor other) => Ops.LogicalOr.Call(this, other);
    /// <summary>Element-wise logical not.</summary>
    public Tensor LogicalNot() => Ops.LogicalNot.Call(this);
    /// <summary>True where finite.</summary>
    public Tensor IsFinite() => Ops.IsFinite.Call(this);
    /// <summary>True when every element is non-zero.</summary>
    public bool All() { using var t = Ops.All.Call(this); return t.Item() != 0; }
    /// <summary>True when some element is non-zero.</summary>
    public bool Any() { using var t = Ops.Any.Call(this); return t.Item() != 0; }
    /// <summary>Whether any element along <paramref name="dim"/> is non-zero (bool tensor).</summary>
    public Tensor Any(long dim, bool keepDim = false) => Ops.AnyDim.Call(this, dim, keepDim);
    /// <summary>True when every element equals the other tensor's (same shape).</summary>
    public bool Equal(Tensor other) => new Op("equal").CallScalar(this, other) != 0;
    /// <summary>True when |this − other| ≤ atol + rtol·|other| everywhere.</summary>
    public bool AllClose(Tensor other, double rtol = 1e-5, double atol = 1e-8) => new Op("allclose").CallScalar(this, other, rtol, atol) != 0;

    // ------------------------------------------------------------------------------------------------
    // Reductions

    /// <summary>Sum of all elements.</summary>
    public Tensor Sum(DType? dtype = null) => Ops.Sum.Call(this, Arg.Of(dtype));
    /// <summary>Sum over dimensions.</summary>
    public Tensor Sum(long[] dims, bool keepDim = false) => Ops.SumDim.Call(this, dims, keepDim);
    /// <summary>Sum over one dimension.</summary>
    public Tensor Sum(long dim, bool keepDim = false) => Ops.SumDim.Call(this, new[] { dim }, keepDim);
    /// <summary>Mean of all elements.</summary>
    public Tensor Mean() => Ops.Mean.Call(this);
    /// <summary>Mean over dimensions.</summary>
    public Tensor Mean(long[] dims, bool keepDim = false) => Ops.MeanDim.Call(this, dims, keepDim);
    /// <summary>Mean over one dimension.</summary>
    public Tensor Mean(long dim, bool keepDim = false) => Ops.MeanDim.Call(this, new[] { dim }, keepDim);
    /// <summary>Maximum of all elements.</summary>
    public Tensor Max() => Ops.Max.Call(this);
    /// <summary>Maximum along a dimension with its indices.</summary>
    public (Tensor Values, Tensor Indices) Max(long dim, bool keepDim = false) => Ops.MaxDim.Call2(this, dim, keepDim);
    /// <summary>Minimum of all elements.</summary>
    public Tensor Min() => Ops.Min.Call(this);
    /// <summary>Minimum along a dimension with its indices.</summary>
    public (Tensor Values, Tensor Indices) Min(long dim, bool keepDim = false) => Ops.MinDim.Call2(this, dim, keepDim);
    /// <summary>Maximum values over dimensions.</summary>
    public Tensor Amax(long[] dims, bool keepDim = false) => Ops.Amax.Call(this, dims, keepDim);
    /// <summary>Maximum values over one dimension.</summary>
    public Tensor Amax(long dim, bool keepDim = false) => Ops.Amax.Call(this, new[] { dim }, keepDim);
    /// <summary>Index of the maximum (flattened when <paramref name="dim"/> is null).</summary>
    public Tensor Argmax(long? dim = null, bool keepDim = false) => Ops.Argmax.Call(this, Arg.Of(dim), keepDim);
    /// <summary>Index of the minimum (flattened when <paramref name="dim"/> is null).</summary>
    public Tensor Argmin(long? dim = null, bool keepDim = false) => Ops.Argmin.Call(this, Arg.Of(dim), keepDim);
    /// <summary>log Σ exp along dimensions.</summary>
    public Tensor LogSumExp(long dim, bool keepDim = false) => Ops.LogSumExp.Call(this, new[] { dim }, keepDim);
    /// <summary>Variance along dimensions (unbiased by default, like PyTorch).</summary>
    public Tensor Var(long dim, bool unbiased = true, bool keepDim = false) => Ops.VarDim.Call(this, new[] { dim }, unbiased, keepDim);
    /// <summary>Vector p-norm of all elements.</summary>
    public Tensor Norm(double p = 2) => Ops.Norm.Call(this, p);
    /// <summary>Cumulative sum along a dimension.</summary>
    public Tensor Cumsum(long dim) => Ops.Cumsum.Call(this, dim);
    /// <summary>The k largest (or smallest) elements along a dimension with their indices.</summary>
    public (Tensor Values, Tensor Indices) TopK(long k, long dim = -1, bool largest = true, bool sorted = true) =>
        Ops.TopK.Call2(this, k, dim, largest, sorted);
    /// <summary>Sorts along a dimension, returning values and indices.</summary>
    public (Tensor Values, Tensor Indices) Sort(long dim = -1, bool descending = false) => Ops.Sort.Call2(this, dim, descending);
    /// <summary>Samples indices from the rows of a probability tensor.</summary>
    public Tensor Multinomial(long numSamples, bool replacement = false, Generator? generator = null) =>
        Ops.Multinomial.Call(this, numSamples, replacement, generator);

    // ------------------------------------------------------------------------------------------------
    // Shape

    /// <summary>A view with another shape (one size may be −1).</summary>
    public Tensor View(params long[] shape) => Ops.View.Call(this, shape);
    /// <summary>Reshape (a view when possible, else a copy).</summary>
    public Tensor Reshape(params long[] shape) => Ops.Reshape.Call(this, shape);
    /// <summary>Reorders dimensions.</summary>
    public Tensor Permute(params long[] dims) => Ops.Permute.Call(this, dims);
    /// <summary>Swaps two dimensions.</summary>
    public Tensor Transpose(long dim0, long dim1) => Ops.Transpose.Call(this, dim0, dim1);
    /// <summary>Transpose of a 2-d tensor.</summary>
    public Tensor T => Transpose(0, 1);
    /// <summary>A contiguous tensor with the same values (this one if already contiguous).</summary>
    public Tensor Contiguous() => Ops.Contiguous.Call(this);
    /// <summary>Broadcasts to a larger shape without copying (−1 keeps a size).</summary>
    public Tensor Expand(params long[] shape) => Ops.Expand.Call(this, shape);
    /// <summary>Tiles the tensor.</summary>
    public Tensor Repeat(params long[] repeats) => Ops.Repeat.Call(this, repeats);
    /// <summary>Inserts a dimension of size 1.</summary>
    public Tensor Unsqueeze(long dim) => Ops.Unsqueeze.Call(this, dim);
    /// <summary>Removes a dimension of size 1.</summary>
    public Tensor Squeeze(long dim) => Ops.SqueezeDim.Call(this, dim);
    /// <summary>Removes every dimension of size 1.</summary>
    public Tensor Squeeze() => Ops.Squeeze.Call(this);
    /// <summary>Flattens dimensions start..end into one.</summary>
    public Tensor Flatten(long startDim = 0, long endDim = -1) => Ops.Flatten.Call(this, startDim, endDim);
    /// <summary>Splits into chunks of <paramref name="splitSize"/> along a dimension.</summary>
    public Tensor[] Split(long splitSize, long dim = 0) => Ops.SplitT.CallList(this, splitSize, dim);
    /// <summary>Splits into pieces of the given sizes along a dimension.</summary>
    public Tensor[] Split(long[] sizes, long dim = 0) => Ops.SplitSizes.CallList(this, sizes, dim);
    /// <summary>Splits into <paramref name="chunks"/> nearly equal pieces.</summary>
    public Tensor[] Chunk(long chunks, long dim = 0) => Ops.Chunk.CallList(this, chunks, dim);
    /// <summary>The slice [start, start+length) of a dimension (a view).</summary>
    public Tensor Narrow(long dim, long start, long length) => Ops.Narrow.Call(this, dim, start, length);
    /// <summary>Index <paramref name="index"/> of dimension <paramref name="dim"/>, removing that dimension (a view).</summary>
    public Tensor Select(long dim, long index) => Ops.Select.Call(this, dim, index);
    /// <summary>Rows picked by an int64 index along a dimension.</summary>
    public Tensor IndexSelect(long dim, Tensor index) => Ops.IndexSelect.Call(this, dim, index);
    /// <summary>Gathers values along a dimension.</summary>
    public Tensor Gather(long dim, Tensor index) => Ops.Gather.Call(this, dim, index);
    /// <summary>Out-of-place scatter-add along a dimension.</summary>
    public Tensor ScatterAdd(long dim, Tensor index, Tensor src) => Ops.ScatterAdd.Call(this, dim, index, src);
    /// <summary>Out-of-place <c>index_add</c>: adds rows of <paramref name="source"/> at positions <paramref name="index"/> of a dimension.</summary>
    public Tensor IndexAdd(long dim, Tensor index, Tensor source) => Ops.IndexAdd.Call(this, dim, index, source);
    /// <summary>Advanced indexing (<c>x[i0, i1, …]</c> with tensors; null keeps a dimension whole).</summary>
    public Tensor Index(params Tensor?[] indices) => Ops.Index.Call(this, Arg.OptionalTensors(indices));
    /// <summary>Replaces elements where <paramref name="mask"/> is true by <paramref name="value"/>.</summary>
    public Tensor MaskedFill(Tensor mask, double value) => Ops.MaskedFill.Call(this, mask, value);
    /// <summary>Lower triangle (elements above diagonal k zeroed).</summary>
    public Tensor Tril(long diagonal = 0) => Ops.Tril.Call(this, diagonal);
    /// <summary>Upper triangle (elements below diagonal k zeroed).</summary>
    public Tensor Triu(long diagonal = 0) => Ops.Triu.Call(this, diagonal);
    /// <summary>Indices of non-zero elements, [n, dim].</summary>
    public Tensor Nonzero() => Ops.Nonzero.Call(this);

    // ------------------------------------------------------------------------------------------------
    // Conversion

    /// <summary>Converts dtype and/or moves to a device (no copy when nothing changes).</summary>
    public Tensor To(DType? dtype = null, Device? device = null, bool copy = false) =>
        Ops.To.Call(this, Arg.Of(dtype), Arg.None, Arg.Of(device), Arg.None, false, copy);
    /// <summary>Moves to a device.</summary>
    public Tensor To(Device device) => To(null, device);
    /// <summary>This tensor on <paramref name="like"/>'s device: itself when already there, else a copy (e.g. indices
    /// made on the host for a CUDA tensor).</summary>
    public Tensor OnDeviceOf(Tensor like)
    {
        var (mine, theirs) = (Device, like.Device);
        return mine.Type == theirs.Type && (mine.Type == DeviceType.Cpu || mine.Index == theirs.Index) ? this : To(theirs);
    }
    /// <summary>Converts to float32.</summary>
    public Tensor Float() => To(DType.Float32);
    /// <summary>Converts to int64.</summary>
    public Tensor Long() => To(DType.Int64);
    /// <summary>A copy with its own storage (recorded by autograd).</summary>
    public Tensor Clone() => Ops.Clone.Call(this);
    /// <summary>The same data, cut from the autograd graph.</summary>
    public Tensor Detach() => Ops.Detach.Call(this);

    // ------------------------------------------------------------------------------------------------
    // In place (return this tensor)

    /// <summary>this += alpha·other.</summary>
    public Tensor Add_(Tensor other, double alpha = 1) { Ops.AddT_.Run(this, other, alpha); return this; }
    /// <summary>max(this, 0) in place (as <c>nn.ReLU(inplace=True)</c>: no second tensor; only for a tensor whose
    /// producer's backward does not need it, e.g. a batch-norm output).</summary>
    public Tensor Relu_() { Ops.Relu_.Run(this); return this; }
    /// <summary>this += value.</summary>
    public Tensor Add_(double value) { Ops.AddS_.Run(this, value); return this; }
    /// <summary>this += value (an integer: keeps integer tensors integral).</summary>
    public Tensor Add_(long value) { Ops.AddS_.Run(this, value); return this; }
    /// <summary>this *= other.</summary>
    public Tensor Mul_(Tensor other) { Ops.MulT_.Run(this, other); return this; }
    /// <summary>this *= value.</summary>
    public Tensor Mul_(double value) { Ops.MulS_.Run(this, value); return this; }
    /// <summary>this /= value.</summary>
    public Tensor Div_(double value) { Ops.DivS_.Run(this, value); return this; }
    /// <summary>this += value·t1·t2.</summary>
    public Tensor Addcmul_(Tensor t1, Tensor t2, double value = 1) { Ops.Addcmul_.Run(this, t1, t2, value); return this; }
    /// <summary>this += value·t1/t2.</summary>
    public Tensor Addcdiv_(Tensor t1, Tensor t2, double value = 1) { Ops.Addcdiv_.Run(this, t1, t2, value); return this; }
    /// <summary>Copies values from <paramref name="src"/> (broadcast, converted).</summary>
    public Tensor Copy_(Tensor src) { Ops.Copy_.Run(this, src); return this; }
    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    public Tensor Fill_(double value) { Ops.FillS_.Run(this, value); return this; }
    /// <summary>Sets every element to zero.</summary>
    public Tensor Zero_() { Ops.Zero_.Run(this); return this; }
    /// <summary>Fills with U(from, to).</summary>
    public Tensor Uniform_(double from = 0, double to = 1, Generator? generator = null) { Ops.Uniform_.Run(this, from, to, generator); return this; }
    /// <summary>Fills with N(mean, std²).</summary>
    public Tensor Normal_(double mean = 0, double std = 1, Generator? generator = null) { Ops.Normal_.Run(this, mean, std, generator); return this; }
    /// <summary>Fills with Bernoulli(p) draws.</summary>
    public Tensor Bernoulli_(double p, Generator? generator = null) { Ops.Bernoulli_.Run(this, p, generator); return this; }
    /// <summary>Replaces elements where <paramref name="mask"/> is true.</summary>
    public Tensor MaskedFill_(Tensor mask, double value) { Ops.MaskedFill_.Run(this, mask, value); return this; }
}

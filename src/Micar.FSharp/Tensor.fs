/// <summary>
/// PyTorch-like lowercase functions over <see cref="T:Micar.Torch.Tensor"/> for F# pipelines. Shapes are
/// <c>int list</c>s; the operators (<c>+ - * /</c>, with tensors or floats) come with the tensor type itself.
/// Tensors are released by the innermost <see cref="M:Micar.FSharp.Tensor.scope"/> that was open when they were made.
/// <code>
/// use _ = Tensor.scope ()
/// let x = Tensor.randn [ 2; 3 ]
/// let y = (x * 2.0 + 1.0) |> Tensor.softmax -1
/// </code>
/// </summary>
[<RequireQualifiedAccess>]
module Micar.FSharp.Tensor

open Micar.Torch


let private dims (shape: int list) = shape |> List.map int64 |> List.toArray

/// A disposal scope: every tensor created on this thread until it is disposed is freed with it.
let scope () : DisposeScope = Libtorch.NewScope()

/// Disables gradient recording until disposed (<c>torch.no_grad()</c>).
let noGrad () : System.IDisposable = Autograd.NoGrad()

/// A random generator with a fixed seed (dispose it when done).
let generator (seed: uint64) : Generator = new Generator(seed)

/// Seeds libtorch's default generator (<c>torch.manual_seed</c>).
let manualSeed (seed: uint64) : unit = Libtorch.ManualSeed seed

/// Zeros (float32).
let zeros (shape: int list) : Tensor = Libtorch.Zeros(dims shape)

/// Ones (float32).
let ones (shape: int list) : Tensor = Libtorch.Ones(dims shape)

/// A float32 tensor filled with <paramref name="value"/>.
let full (shape: int list) (value: float) : Tensor = Libtorch.Full(dims shape, value)

/// Standard normal samples from libtorch's default generator.
let randn (shape: int list) : Tensor = Libtorch.Randn(dims shape)

/// Standard normal samples from <paramref name="generator"/>.
let randnWith (generator: Generator) (shape: int list) : Tensor = Libtorch.Randn(dims shape, generator)

/// Uniform samples in [0, 1) from libtorch's default generator.
let rand (shape: int list) : Tensor = Libtorch.Rand(dims shape)

/// Uniform samples in [0, 1) from <paramref name="generator"/>.
let randWith (generator: Generator) (shape: int list) : Tensor = Libtorch.Rand(dims shape, generator)

/// Uniform int64 samples in [low, high) from <paramref name="generator"/>.
let randintWith (generator: Generator) (low: int64) (high: int64) (shape: int list) : Tensor =
    Libtorch.Randint(low, high, dims shape, generator)

/// 0, 1, …, n−1 (int64).
let arange (n: int64) : Tensor = Libtorch.Arange n

/// A float32 tensor from values and a shape.
let ofArray (shape: int list) (values: float32[]) : Tensor = Libtorch.Tensor(values, dims shape)

/// An int64 tensor (e.g. token ids) from values and a shape.
let ofInt64s (shape: int list) (values: int64[]) : Tensor = Libtorch.Tensor(values, dims shape)

/// The elements in row-major order as float32.
let toArray (t: Tensor) : float32[] =
    if t.DType = DType.Float32 then t.ToArray<float32>()
    else
        use f = t.To(DType.Float32)
        f.ToArray<float32>()

/// The elements in row-major order as int64.
let toInt64s (t: Tensor) : int64[] =
    if t.DType = DType.Int64 then t.ToArray<int64>()
    else
        use l = t.To(DType.Int64)
        l.ToArray<int64>()

/// The value of a one-element tensor.
let item (t: Tensor) : float = t.Item()

/// The dimension sizes.
let shape (t: Tensor) : int list = t.Shape |> Array.map int |> List.ofArray

/// Matrix product (<c>a @ b</c>).
let matmul (a: Tensor) (b: Tensor) : Tensor = a.Matmul b

/// Softmax over <paramref name="dim"/>.
let softmax (dim: int) (t: Tensor) : Tensor = t.Softmax(int64 dim)

/// Sum of all elements.
let sum (t: Tensor) : Tensor = t.Sum()

/// Sum over <paramref name="dim"/>.
let sumDim (dim: int) (t: Tensor) : Tensor = t.Sum(int64 dim)

/// Mean of all elements.
let mean (t: Tensor) : Tensor = t.Mean()

/// A view or copy with another shape (one size may be −1).
let reshape (shape: int list) (t: Tensor) : Tensor = t.Reshape(dims shape)

/// Swaps two dimensions.
let transpose (dim0: int) (dim1: int) (t: Tensor) : Tensor = t.Transpose(int64 dim0, int64 dim1)

/// <c>length</c> entries of <paramref name="dim"/> from <paramref name="start"/>.
let narrow (dim: int) (start: int) (length: int) (t: Tensor) : Tensor = t.Narrow(int64 dim, int64 start, int64 length)

/// Largest absolute elementwise difference.
let maxAbsDiff (a: Tensor) (b: Tensor) : float =
    use _ = scope ()
    (a - b).Abs().Max().Item()

/// True when <c>|a − b| ≤ atol + rtol·|b|</c> everywhere.
let allClose (rtol: float) (atol: float) (a: Tensor) (b: Tensor) : bool = a.AllClose(b, rtol, atol)

/// The libtorch version the native shim was built against.
let libtorchVersion () : string = Libtorch.Version

namespace Micar.Torch;

/// <summary>The ATen operators the typed wrappers call, each looked up once by schema name and overload.</summary>
internal static class Ops
{
    // Arithmetic
    public static readonly Op AddT = new("add", "Tensor"), AddS = new("add", "Scalar");
    public static readonly Op SubT = new("sub", "Tensor"), SubS = new("sub", "Scalar"), RsubS = new("rsub", "Scalar");
    public static readonly Op MulT = new("mul", "Tensor"), MulS = new("mul", "Scalar");
    public static readonly Op DivT = new("div", "Tensor"), DivS = new("div", "Scalar");
    public static readonly Op Neg = new("neg"), PowS = new("pow", "Tensor_Scalar"), PowT = new("pow", "Tensor_Tensor");
    public static readonly Op Matmul = new("matmul"), Bmm = new("bmm"), Mm = new("mm"), Einsum = new("einsum");
    public static readonly Op Maximum = new("maximum"), Minimum = new("minimum");
    public static readonly Op Clamp = new("clamp");

    // Pointwise
    public static readonly Op Exp = new("exp"), Log = new("log"), Sqrt = new("sqrt"), Rsqrt = new("rsqrt"),
        Abs = new("abs"), Sin = new("sin"), Cos = new("cos"), Erf = new("erf"), Sign = new("sign");
    public static readonly Op Relu = new("relu"), Silu = new("silu"), Gelu = new("gelu"), Selu = new("selu"),
        Sigmoid = new("sigmoid"), Tanh = new("tanh");
    public static readonly Op Softmax = new("softmax", "int"), LogSoftmax = new("log_softmax", "int");

    // Comparison and logic
    public static readonly Op EqT = new("eq", "Tensor"), EqS = new("eq", "Scalar"), NeS = new("ne", "Scalar"), NeT = new("ne", "Tensor"),
        LtS = new("lt", "Scalar"), LtT = new("lt", "Tensor"), GtS = new("gt", "Scalar"), GtT = new("gt", "Tensor"),
        LeS = new("le", "Scalar"), GeS = new("ge", "Scalar");
    public static readonly Op LogicalAnd = new("logical_and"), LogicalOr = new("logical_or"), LogicalNot = new("logical_not");
    public static readonly Op IsFinite = new("isfinite"), All = new("all"), Any = new("any"), AnyDim = new("any", "dim");

    // Reductions
    public static readonly Op Sum = new("sum"), SumDim = new("sum", "dim_IntList");
    public static readonly Op Mean = new("mean"), MeanDim = new("mean", "dim");
    public static readonly Op Max = new("max"), MaxDim = new("max", "dim"), Min = new("min"), MinDim = new("min", "dim");
    public static readonly Op Amax = new("amax"), Amin = new("amin"), Argmax = new("argmax"), Argmin = new("argmin");
    public static readonly Op LogSumExp = new("logsumexp"), VarDim = new("var", "dim"), Norm = new("linalg_vector_norm");
    public static readonly Op Cumsum = new("cumsum");
    public static readonly Op TopK = new("topk"), Sort = new("sort"), Multinomial = new("multinomial");

    // Shape and indexing
    public static readonly Op View = new("view"), Reshape = new("reshape"), Permute = new("permute"),
        Transpose = new("transpose", "int"), Contiguous = new("contiguous"), Expand = new("expand"),
        Repeat = new("repeat"), Unsqueeze = new("unsqueeze"), SqueezeDim = new("squeeze", "dim"),
        Squeeze = new("squeeze"), Flatten = new("flatten", "using_ints");
    public static readonly Op Cat = new("cat"), Stack = new("stack"), SplitT = new("split", "Tensor"),
        SplitSizes = new("split_with_sizes"), Chunk = new("chunk"), Narrow = new("narrow"),
        Select = new("select", "int"), IndexSelect = new("index_select"), Gather = new("gather"),
        ScatterAdd = new("scatter_add"), IndexAdd = new("index_add"), Index = new("index", "Tensor"), MaskedFill = new("masked_fill", "Scalar"),
        Where = new("where", "self"), Tril = new("tril"), Triu = new("triu"), OneHot = new("one_hot"),
        Nonzero = new("nonzero");

    // Conversion, creation
    public static readonly Op To = new("to", "dtype_layout"), Clone = new("clone"), Detach = new("detach");
    public static readonly Op Item = new("item");
    public static readonly Op Zeros = new("zeros"), Ones = new("ones"), Full = new("full"), Empty = new("empty", "memory_format"),
        ArangeStartStep = new("arange", "start_step"), Rand = new("rand", "generator"), Randn = new("randn", "generator"),
        RandintLow = new("randint", "low_generator"), Randperm = new("randperm", "generator"),
        ZerosLike = new("zeros_like"), OnesLike = new("ones_like"), EmptyLike = new("empty_like"), FullLike = new("full_like"),
        Eye = new("eye");

    // In place
    public static readonly Op Relu_ = new("relu_");
    public static readonly Op AddT_ = new("add_", "Tensor"), AddS_ = new("add_", "Scalar"), MulT_ = new("mul_", "Tensor"),
        MulS_ = new("mul_", "Scalar"), DivS_ = new("div_", "Scalar"), Addcmul_ = new("addcmul_"), Addcdiv_ = new("addcdiv_"),
        Copy_ = new("copy_"), FillS_ = new("fill_", "Scalar"), Zero_ = new("zero_"), Uniform_ = new("uniform_"),
        Normal_ = new("normal_"), Bernoulli_ = new("bernoulli_", "float"), Sqrt_ = new("sqrt_"),
        MaskedFill_ = new("masked_fill_", "Scalar"), ClampMax_ = new("clamp_max_"), Lerp_ = new("lerp_", "Scalar");
    public static readonly Op MaximumOut = new("maximum", "out");
    public static readonly Op ForeachMulS_ = new("_foreach_mul_", "Scalar"), ForeachAddList_ = new("_foreach_add_", "List"),
        ForeachAddcmulS_ = new("_foreach_addcmul_", "Scalar"), ForeachAddcdivScalarList_ = new("_foreach_addcdiv_", "ScalarList"),
        ForeachSqrt = new("_foreach_sqrt"), ForeachMaximumList = new("_foreach_maximum", "List"),
        ForeachDivScalarList_ = new("_foreach_div_", "ScalarList"), ForeachAddS_ = new("_foreach_add_", "Scalar"),
        ForeachMulScalarList_ = new("_foreach_mul_", "ScalarList"), ForeachNorm = new("_foreach_norm", "Scalar");

    // Neural-network functions
    public static readonly Op Linear = new("linear"), Conv2d = new("conv2d"), BatchNorm = new("batch_norm"),
        MaxPool2d = new("max_pool2d"), AdaptiveAvgPool2d = new("adaptive_avg_pool2d"), AvgPool2d = new("avg_pool2d"),
        UpsampleNearest2d = new("upsample_nearest2d", "vec"), UpsampleBilinear2d = new("upsample_bilinear2d", "vec"),
        UpsampleBilinear2dAa = new("_upsample_bilinear2d_aa", "vec"), Embedding = new("embedding"),
        Dropout = new("dropout"), ConstantPadNd = new("constant_pad_nd"), Unfold = new("unfold"), CrossEntropy = new("cross_entropy_loss"), NllLoss = new("nll_loss"), LayerNorm = new("layer_norm");
}

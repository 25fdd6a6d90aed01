namespace Micar.Torch.Serialization;

/// <summary>
/// The allow-list of Python globals a PyTorch state-dict pickle may reference, and what each means. Nothing is
/// imported or executed: allowed calls are interpreted here into inert values (<see cref="PickleDict"/>,
/// <see cref="PickleTensor"/>, <see cref="PickleStorage"/>).
/// </summary>
internal static class TorchPickleGlobals
{
    private static readonly Dictionary<string, DType> StorageTypes = new(StringComparer.Ordinal)
    {
        ["torch.FloatStorage"] = DType.Float32,
        ["torch.DoubleStorage"] = DType.Float64,
        ["torch.HalfStorage"] = DType.Float16,
        ["torch.BFloat16Storage"] = DType.BFloat16,
        ["torch.LongStorage"] = DType.Int64,
        ["torch.IntStorage"] = DType.Int32,
        ["torch.ShortStorage"] = DType.Int16,
        ["torch.CharStorage"] = DType.Int8,
        ["torch.ByteStorage"] = DType.UInt8,
        ["torch.BoolStorage"] = DType.Bool,
        // torch 2.x pickles untyped storages with this class; their tensors are uint8.
        ["torch.UntypedStorage"] = DType.UInt8,
    };

    private const string OrderedDict = "collections.OrderedDict";
    private const string RebuildTensor = "torch._utils._rebuild_tensor";
    private const string RebuildTensorV2 = "torch._utils._rebuild_tensor_v2";
    private const string RebuildParameter = "torch._utils._rebuild_parameter";
    private const string RebuildParameterWithState = "torch._utils._rebuild_parameter_with_state";
    private const string RebuildFromTypeV2 = "torch._tensor._rebuild_from_type_v2";
    private const string TensorType = "torch.Tensor";
    private const string ParameterType = "torch.nn.parameter.Parameter";
    // Protocol-2 pickles of Python 3 bytes objects: _codecs.encode(text, 'latin1').
    private const string CodecsEncode = "_codecs.encode";

    private static readonly HashSet<string> Callables = new(StringComparer.Ordinal)
    {
        OrderedDict, RebuildTensor, RebuildTensorV2, RebuildParameter, RebuildParameterWithState, RebuildFromTypeV2,
        CodecsEncode,
    };

    /// <summary>True if the global may appear in a checkpoint pickle.</summary>
    public static bool IsAllowed(PickleGlobal g) =>
        Callables.Contains(g.FullName) || StorageTypes.ContainsKey(g.FullName)
        || g.FullName is TensorType or ParameterType;

    /// <summary>True if <see cref="Call"/> can interpret a call of the global.</summary>
    public static bool IsCallable(PickleGlobal g) => Callables.Contains(g.FullName);

    /// <summary>
    /// Interprets a persistent id <c>('storage', storage_type, key, location, numel)</c>.
    /// </summary>
    /// <param name="pid">The persistent id popped by BINPERSID.</param>
    /// <param name="fail">Builds the exception for a problem description.</param>
    public static PickleStorage PersistentLoad(object? pid, Func<string, Exception> fail)
    {
        if (pid is not PickleTuple { Count: 5 } t || t[0] is not "storage")
            throw fail($"unsupported persistent id {PickleFormatting.Describe(pid)} (expected ('storage', type, key, location, numel))");
        if (t[1] is not PickleGlobal type || !StorageTypes.TryGetValue(type.FullName, out var dtype))
            throw fail($"unsupported storage type {PickleFormatting.Describe(t[1])} in a persistent id");
        var key = t[2] switch
        {
            string s => s,
            long l => l.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => throw fail($"storage key {PickleFormatting.Describe(t[2])} is not a string"),
        };
        if (t[3] is not string location)
            throw fail($"storage location {PickleFormatting.Describe(t[3])} of storage '{key}' is not a string");
        if (t[4] is not long numel || numel < 0)
            throw fail($"storage size {PickleFormatting.Describe(t[4])} of storage '{key}' is not a non-negative integer");
        return new PickleStorage(dtype, key, location, numel);
    }

    /// <summary>Interprets a call (REDUCE or NEWOBJ) of an allowed callable.</summary>
    /// <param name="callable">An allowed global for which <see cref="IsCallable"/> is true.</param>
    /// <param name="args">The argument tuple.</param>
    /// <param name="fail">Builds the exception for a problem description.</param>
    public static object Call(PickleGlobal callable, PickleTuple args, Func<string, Exception> fail)
    {
        var name = callable.FullName;
        switch (name)
        {
            case OrderedDict:
                return NewOrderedDict(args, fail);
            case RebuildTensor:
                Arity(name, args, fail, 4);
                return Tensor(name, args, requiresGrad: false, fail);
            case RebuildTensorV2:
                // torch ≥ 2.0 may add a seventh argument (tensor metadata), irrelevant for the values.
                Arity(name, args, fail, 6, 7);
                return Tensor(name, args, RequireBool(name, args[4], "requires_grad", fail), fail);
            case RebuildParameter:
            case RebuildParameterWithState:
                Arity(name, args, fail, name == RebuildParameter ? 3 : 4);
                if (args[0] is not PickleTensor data)
                    throw fail($"{name}: data is {PickleFormatting.TypeName(args[0])}, expected a tensor");
                return data with { RequiresGrad = RequireBool(name, args[1], "requires_grad", fail), IsParameter = true };
            case RebuildFromTypeV2:
                return RebuildFromType(args, fail);
            case CodecsEncode:
                return Encode(args, fail);
            default:
                throw fail($"calling {name} is not supported");
        }
    }

    private static PickleDict NewOrderedDict(PickleTuple args, Func<string, Exception> fail)
    {
        var dict = new PickleDict(isOrderedDict: true);
        if (args.Count == 0) return dict;
        if (args.Count == 1 && args[0] is List<object?> pairs)
        {
            foreach (var pair in pairs)
            {
                if (pair is not PickleTuple { Count: 2 } kv && pair is not List<object?> { Count: 2 })
                    throw fail($"{OrderedDict}: item {PickleFormatting.Describe(pair)} is not a (key, value) pair");
                var (k, v) = pair is PickleTuple t ? (t[0], t[1]) : (((List<object?>)pair)[0], ((List<object?>)pair)[1]);
                dict.Set(k, v);
            }
            return dict;
        }
        throw fail($"{OrderedDict} called with unsupported arguments {args}");
    }

    private static byte[] Encode(PickleTuple args, Func<string, Exception> fail)
    {
        Arity(CodecsEncode, args, fail, 2);
        if (args[0] is not string text || args[1] is not string encoding)
            throw fail($"{CodecsEncode} called with {args}, expected (str, encoding)");
        System.Text.Encoding codec = encoding.ToLowerInvariant() switch
        {
            "latin1" or "latin-1" or "iso-8859-1" => System.Text.Encoding.GetEncoding(28591,
                System.Text.EncoderFallback.ExceptionFallback, System.Text.DecoderFallback.ExceptionFallback),
            "utf-8" or "utf8" => new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true),
            _ => throw fail($"{CodecsEncode}: unsupported encoding '{encoding}'"),
        };
        try
        {
            return codec.GetBytes(text);
        }
        catch (System.Text.EncoderFallbackException e)
        {
            throw fail($"{CodecsEncode}: text cannot be encoded as {encoding}: {e.Message}");
        }
    }

    private static object RebuildFromType(PickleTuple args, Func<string, Exception> fail)
    {
        Arity(RebuildFromTypeV2, args, fail, 4);
        if (args[0] is not PickleGlobal func || !IsCallable(func) || func.FullName == OrderedDict)
            throw fail($"{RebuildFromTypeV2}: unsupported rebuild function {PickleFormatting.Describe(args[0])}");
        if (args[1] is not PickleGlobal { FullName: TensorType or ParameterType } type)
            throw fail($"{RebuildFromTypeV2}: unsupported tensor type {PickleFormatting.Describe(args[1])}");
        if (args[2] is not PickleTuple inner)
            throw fail($"{RebuildFromTypeV2}: arguments are {PickleFormatting.TypeName(args[2])}, expected a tuple");
        var result = Call(func, inner, fail);
        if (result is not PickleTensor tensor)
            throw fail($"{RebuildFromTypeV2}: {func.FullName} did not give a tensor");
        // args[3] is the Python attribute state of the tensor object; it carries no tensor data.
        return type.FullName == ParameterType ? tensor with { IsParameter = true } : tensor;
    }

    private static PickleTensor Tensor(string name, PickleTuple args, bool requiresGrad, Func<string, Exception> fail)
    {
        if (args[0] is not PickleStorage storage)
            throw fail($"{name}: storage is {PickleFormatting.TypeName(args[0])}, expected a storage persistent id");
        if (args[1] is not long offset || offset < 0)
            throw fail($"{name}: storage offset {PickleFormatting.Describe(args[1])} is not a non-negative integer");
        var size = IntegerTuple(name, args[2], "size", fail);
        var stride = IntegerTuple(name, args[3], "stride", fail);
        if (size.Length != stride.Length)
            throw fail($"{name}: size {TensorData.FormatShape(size)} and stride {TensorData.FormatShape(stride)} differ in length");
        return new PickleTensor(storage, offset, size, stride, requiresGrad, IsParameter: false);
    }

    private static long[] IntegerTuple(string name, object? value, string what, Func<string, Exception> fail)
    {
        if (value is not PickleTuple t)
            throw fail($"{name}: {what} is {PickleFormatting.TypeName(value)}, expected a tuple of integers");
        var result = new long[t.Count];
        for (var i = 0; i < t.Count; i++)
        {
            if (t[i] is not long v || v < 0)
                throw fail($"{name}: {what} entry {i} ({PickleFormatting.Describe(t[i])}) is not a non-negative integer");
            result[i] = v;
        }
        return result;
    }

    private static bool RequireBool(string name, object? value, string what, Func<string, Exception> fail) =>
        value is bool b ? b : throw fail($"{name}: {what} is {PickleFormatting.TypeName(value)}, expected a bool");

    private static void Arity(string name, PickleTuple args, Func<string, Exception> fail, params int[] counts)
    {
        if (!counts.Contains(args.Count))
            throw fail($"{name} called with {args.Count} arguments, expected {string.Join(" or ", counts)}");
    }
}

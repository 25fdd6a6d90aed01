namespace Micar.Torch.Serialization;

/// <summary>
/// Reads PyTorch checkpoints written by <c>torch.save</c> (zip format) without Python and without executing
/// anything from the file.
/// </summary>
/// <remarks>
/// The pickle inside is interpreted by a small, closed interpreter: the only globals accepted are
/// <c>collections.OrderedDict</c>, <c>torch._utils._rebuild_tensor</c>, <c>_rebuild_tensor_v2</c>,
/// <c>_rebuild_parameter</c>, <c>_rebuild_parameter_with_state</c>, <c>torch._tensor._rebuild_from_type_v2</c>
/// (with <c>torch.Tensor</c> / <c>torch.nn.parameter.Parameter</c>) and the storage classes
/// <c>torch.FloatStorage</c>, <c>DoubleStorage</c>, <c>HalfStorage</c>, <c>BFloat16Storage</c>,
/// <c>LongStorage</c>, <c>IntStorage</c>, <c>ShortStorage</c>, <c>CharStorage</c>, <c>ByteStorage</c>,
/// <c>BoolStorage</c>, <c>UntypedStorage</c>, plus <c>_codecs.encode</c> (how protocol 2 pickles Python 3
/// <c>bytes</c>). Anything else is a <see cref="CheckpointFormatException"/> naming
/// the global and the file. The legacy non-zip format is rejected with advice to re-save the file.
/// </remarks>
public static class PthReader
{
    /// <summary>
    /// Reads the state dict of a checkpoint as name → contiguous tensor, in the file's order.
    /// </summary>
    /// <param name="path">The checkpoint.</param>
    /// <param name="key">
    /// The top-level entry holding the state dict. When null: the <c>model</c> entry if the top-level object is
    /// a dict with a dict under <c>model</c> (the official snapshots' <c>{'model': state_dict}</c>), else the
    /// <c>state_dict</c> entry likewise, else the top-level dict itself if all its values are tensors.
    /// </param>
    /// <param name="allowUnknownGlobals">
    /// Tolerate globals outside the allow-list elsewhere in the file (kept as inert records, never executed);
    /// the state dict itself must still hold only tensors.
    /// </param>
    /// <exception cref="CheckpointFormatException">
    /// Unreadable file, disallowed content, no state dict found, or a state-dict value that is not a tensor.
    /// </exception>
    public static OrderedDictionary<string, TensorData> ReadStateDict(string path, string? key = null, bool allowUnknownGlobals = false)
    {
        using var stateDict = OpenStateDict(path, key, allowUnknownGlobals);
        return stateDict.ReadAll();
    }

    /// <summary>
    /// Opens a checkpoint's state dict without reading any tensor data: names, dtypes, shapes and views, checked
    /// against the archive's central directory (see <see cref="PthFile.CheckTensor"/>). Compare them with what
    /// is expected, then read with <see cref="PthStateDict.ReadAll"/> and a byte budget.
    /// </summary>
    /// <param name="path">The checkpoint.</param>
    /// <param name="key">Where the state dict is; see <see cref="ReadStateDict"/>.</param>
    /// <param name="allowUnknownGlobals">See <see cref="ReadStateDict"/>.</param>
    /// <exception cref="CheckpointFormatException">
    /// Unreadable file, disallowed content, no state dict found, a value that is not a tensor, a name given twice,
    /// or a tensor whose storage record is missing, sized differently from its declaration, or too small for the view.
    /// </exception>
    public static PthStateDict OpenStateDict(string path, string? key = null, bool allowUnknownGlobals = false)
    {
        var file = PthFile.Open(path, allowUnknownGlobals);
        try
        {
            var stateDict = SelectStateDict(path, file.Root, key);
            var tensors = new List<KeyValuePair<string, PickleTensor>>(stateDict.Count);
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (name, value) in stateDict.Entries)
            {
                if (name is not string s)
                    throw new CheckpointFormatException(path, $"state dict key {PickleFormatting.Describe(name)} is not a string");
                if (value is not PickleTensor t)
                    throw new CheckpointFormatException(path, $"state dict value is {PickleFormatting.TypeName(value)}, not a tensor", s);
                if (!names.Add(s)) throw new CheckpointFormatException(path, "the name is given twice", s);
                file.CheckTensor(t, s);
                tensors.Add(new(s, t));
            }
            return new PthStateDict(file, tensors);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Unpickles a checkpoint's object tree for inspection, without reading any tensor data (tensors appear as
    /// <see cref="PickleTensor"/> descriptions). See <see cref="PthFile.Root"/> for the value types.
    /// </summary>
    /// <param name="path">The checkpoint.</param>
    /// <param name="allowUnknownGlobals">Keep globals outside the allow-list as inert <see cref="PickleObject"/> records.</param>
    public static object? ReadObject(string path, bool allowUnknownGlobals = false)
    {
        using var file = PthFile.Open(path, allowUnknownGlobals);
        return file.Root;
    }

    private static PickleDict SelectStateDict(string path, object? root, string? key)
    {
        if (root is not PickleDict top)
            throw new CheckpointFormatException(path, $"the top-level object is {PickleFormatting.TypeName(root)}, expected a dict holding a state dict");
        if (key is not null)
        {
            if (!top.TryGetValue(key, out var chosen))
                throw new CheckpointFormatException(path, $"the top-level dict has no entry '{key}'; its keys are {DescribeKeys(top)}");
            return chosen as PickleDict
                ?? throw new CheckpointFormatException(path, $"the top-level entry '{key}' is {PickleFormatting.TypeName(chosen)}, expected a dict of tensors");
        }
        foreach (var candidate in (string[])["model", "state_dict"])
        {
            if (top.TryGetValue(candidate, out var value) && value is PickleDict dict) return dict;
        }
        if (top.Entries.All(e => e.Value is PickleTensor)) return top;
        throw new CheckpointFormatException(path,
            $"cannot tell where the state dict is: the top-level dict has keys {DescribeKeys(top)}, no 'model' or " +
            "'state_dict' entry holding a dict, and not only tensors; pass the key explicitly");
    }

    private static string DescribeKeys(PickleDict dict)
    {
        const int shown = 12;
        var keys = dict.Keys.Take(shown).Select(PickleFormatting.Describe);
        return $"[{string.Join(", ", keys)}{(dict.Count > shown ? $", … ({dict.Count} in all)" : "")}]";
    }
}

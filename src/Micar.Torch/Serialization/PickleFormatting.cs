using System.Globalization;
using System.Numerics;

namespace Micar.Torch.Serialization;

/// <summary>Short Python-like descriptions of unpickled values, for error messages and debugging.</summary>
internal static class PickleFormatting
{
    /// <summary>Describes a value in a few words, e.g. <c>'epoch'</c>, <c>3</c>, <c>list of 2</c>.</summary>
    public static string Describe(object? value) => value switch
    {
        null => "None",
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        BigInteger i => i.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        string s => s.Length <= 60 ? $"'{s}'" : $"'{s[..57]}...'",
        byte[] b => $"bytes of length {b.Length}",
        List<object?> l => $"list of {l.Count}",
        _ => value.ToString() ?? value.GetType().Name,
    };

    /// <summary>The Python type name of a value, e.g. <c>str</c>, <c>OrderedDict</c>, <c>Tensor</c>.</summary>
    public static string TypeName(object? value) => value switch
    {
        null => "NoneType",
        bool => "bool",
        long or BigInteger => "int",
        double => "float",
        string => "str",
        byte[] => "bytes",
        List<object?> => "list",
        PickleTuple => "tuple",
        PickleDict d => d.IsOrderedDict ? "OrderedDict" : "dict",
        PickleTensor => "Tensor",
        PickleStorage => "Storage",
        PickleGlobal g => g.FullName,
        PickleObject o => o.Callable.FullName,
        _ => value.GetType().Name,
    };
}
